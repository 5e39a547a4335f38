package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// UserPreferences returns the user's stored values; an empty map when none.
func (s *Store) UserPreferences(ctx context.Context, user string) (map[string]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT key, value FROM user_preferences WHERE user = ?`, user)
	if err != nil {
		return nil, fmt.Errorf("state: preferences of %q: %w", user, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("state: preferences of %q: %w", user, err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: preferences of %q: %w", user, err)
	}
	return out, nil
}

// SetUserPreferences stores values and journals what changed, in one
// transaction (see state.Preferences).
func (s *Store) SetUserPreferences(ctx context.Context, user, by string, values map[string]string) ([]state.PreferenceChange, error) {
	keys, err := state.CheckPreferenceWrite(user, values)
	if err != nil {
		return nil, err
	}
	var changes []state.PreferenceChange
	err = s.inTx(ctx, "set preferences of "+user, func(tx *sql.Tx) error {
		changes = nil
		now := s.now().UTC().Truncate(time.Second)
		for _, k := range keys {
			var old string
			err := tx.QueryRowContext(ctx, `SELECT value FROM user_preferences WHERE user = ? AND key = ?`, user, k).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("key %q: %w", k, err)
			}
			nv := values[k]
			if old == nv {
				continue
			}
			if nv == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM user_preferences WHERE user = ? AND key = ?`, user, k)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO user_preferences (user, key, value, updated_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (user, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
					user, k, nv, formatTime(now))
			}
			if err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO preference_changes (user, key, old_value, new_value, changed_by, at)
				VALUES (?, ?, ?, ?, ?, ?)`, user, k, old, nv, by, formatTime(now))
			if err != nil {
				return fmt.Errorf("journal of key %q: %w", k, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("journal of key %q: %w", k, err)
			}
			changes = append(changes, state.PreferenceChange{ID: id, User: user, Key: k, Old: old, New: nv, By: by, At: now})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// PreferenceChanges returns the user's latest journalled changes, newest
// first.
func (s *Store) PreferenceChanges(ctx context.Context, user string, limit int) ([]state.PreferenceChange, error) {
	q := `SELECT id, key, old_value, new_value, changed_by, at FROM preference_changes WHERE user = ? ORDER BY id DESC`
	args := []any{user}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("state: preference changes of %q: %w", user, err)
	}
	defer rows.Close()
	var out []state.PreferenceChange
	for rows.Next() {
		c := state.PreferenceChange{User: user}
		var at sql.NullString
		if err := rows.Scan(&c.ID, &c.Key, &c.Old, &c.New, &c.By, &at); err != nil {
			return nil, fmt.Errorf("state: preference changes of %q: %w", user, err)
		}
		if c.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("state: preference change %d of %q: %w", c.ID, user, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: preference changes of %q: %w", user, err)
	}
	return out, nil
}
