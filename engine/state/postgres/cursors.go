package postgres

import (
	"context"
	"fmt"
)

// Cursor returns the stored cursor of a user's source, "" if none.
func (s *Store) Cursor(ctx context.Context, user, source string) (string, error) {
	var cursor string
	err := s.pool.QueryRow(ctx, `SELECT cursor FROM cursors WHERE user_name = $1 AND source = $2`, user, source).Scan(&cursor)
	switch {
	case errNoRows(err):
		return "", nil
	case err != nil:
		return "", s.errorf(err, "cursor of user %q, source %q", user, source)
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
	var err error
	if cursor == "" {
		_, err = s.pool.Exec(ctx, `DELETE FROM cursors WHERE user_name = $1 AND source = $2`, user, source)
	} else {
		_, err = s.pool.Exec(ctx, setCursorSQL, user, source, cursor)
	}
	if err != nil {
		return s.errorf(err, "set cursor of user %q, source %q", user, source)
	}
	return nil
}

// setCursorSQL stores a cursor unless the stored one is the same already:
// a run that found nothing new (most runs) then writes nothing, and its
// transaction needs no commit to disk. ON CONFLICT ... WHERE would still
// lock the row, which is a write.
const setCursorSQL = `INSERT INTO cursors (user_name, source, cursor)
SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM cursors WHERE user_name = $1 AND source = $2 AND cursor = $3)
ON CONFLICT (user_name, source) DO UPDATE SET cursor = excluded.cursor`

// Cursors returns every stored cursor of a user as source → cursor; an empty
// map, never nil, if there are none.
func (s *Store) Cursors(ctx context.Context, user string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, cursorsSQL, user)
	if err != nil {
		return nil, s.errorf(err, "cursors of %q", user)
	}
	out, err := scanPairs(rows)
	if err != nil {
		return nil, s.errorf(err, "cursors of %q", user)
	}
	return out, nil
}

// cursorsSQL reads a user's stored cursors ($1 the user).
const cursorsSQL = `SELECT source, cursor FROM cursors WHERE user_name = $1`
