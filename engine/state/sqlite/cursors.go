package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Cursor returns the stored cursor of a user's source, "" if none.
func (s *Store) Cursor(ctx context.Context, user, source string) (string, error) {
	var cursor string
	err := s.reader.QueryRowContext(ctx, `SELECT cursor FROM cursors WHERE user = ? AND source = ?`, user, source).Scan(&cursor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("state: cursor of user %q, source %q: %w", user, source, err)
	}
	return cursor, nil
}

// SetCursor stores a cursor; "" clears it (the next run starts with a full
// listing). An empty user or source is an error: such a cursor could never
// be asked for.
func (s *Store) SetCursor(ctx context.Context, user, source, cursor string) error {
	if user == "" || source == "" {
		return fmt.Errorf("state: set cursor: empty user (%q) or source (%q)", user, source)
	}
	if err := setCursor(ctx, s.writer, user, source, cursor); err != nil {
		return fmt.Errorf("state: set cursor of user %q, source %q: %w", user, source, err)
	}
	return nil
}

// setCursor is SetCursor's write, through ex. A cursor equal to the stored
// one changes no row, so the commit has nothing to write to disk: most
// runs find nothing new and store the cursor they were given.
func setCursor(ctx context.Context, ex execer, user, source, cursor string) error {
	var err error
	if cursor == "" {
		_, err = ex.ExecContext(ctx, `DELETE FROM cursors WHERE user = ? AND source = ?`, user, source)
	} else {
		_, err = ex.ExecContext(ctx, `INSERT INTO cursors (user, source, cursor) VALUES (?, ?, ?)
			ON CONFLICT (user, source) DO UPDATE SET cursor = excluded.cursor WHERE cursor IS NOT excluded.cursor`, user, source, cursor)
	}
	return err
}

// Cursors returns every stored cursor of a user as source → cursor; an empty
// map, never nil, if there are none.
func (s *Store) Cursors(ctx context.Context, user string) (map[string]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT source, cursor FROM cursors WHERE user = ?`, user)
	if err != nil {
		return nil, fmt.Errorf("state: cursors of %q: %w", user, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var source, cursor string
		if err := rows.Scan(&source, &cursor); err != nil {
			return nil, fmt.Errorf("state: cursors of %q: %w", user, err)
		}
		out[source] = cursor
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: cursors of %q: %w", user, err)
	}
	return out, nil
}
