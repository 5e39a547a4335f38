package postgres

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// preferencesSQL reads a user's stored values ($1 the user).
const preferencesSQL = `SELECT key, value FROM user_preferences WHERE user_name = $1`

// UserPreferences returns the user's stored values; an empty map when none.
func (s *Store) UserPreferences(ctx context.Context, user string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, preferencesSQL, user)
	if err != nil {
		return nil, s.errorf(err, "preferences of %q", user)
	}
	out, err := scanPairs(rows)
	if err != nil {
		return nil, s.errorf(err, "preferences of %q", user)
	}
	return out, nil
}

// readPairs reads the next result of a batch, preferencesSQL's or
// cursorsSQL's, as scanPairs does.
func readPairs(br pgx.BatchResults) (map[string]string, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return scanPairs(rows)
}

// scanPairs reads rows of two text columns, preferencesSQL's key and
// value or cursorsSQL's source and cursor, as a map (an empty one when
// none) and closes them.
func scanPairs(rows pgx.Rows) (map[string]string, error) {
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetUserPreferences stores values and journals what changed, in one
// transaction, stamped by the database's clock (see state.Preferences).
// The user's rows are locked first, so two concurrent changes journal
// old values that follow each other.
func (s *Store) SetUserPreferences(ctx context.Context, user, by string, values map[string]string) ([]state.PreferenceChange, error) {
	keys, err := state.CheckPreferenceWrite(user, values)
	if err != nil {
		return nil, err
	}
	var changes []state.PreferenceChange
	err = s.inTx(ctx, "set preferences of "+user, func(tx pgx.Tx) error {
		changes = nil
		// One writer per user at a time: the advisory lock covers keys
		// that have no row yet, which FOR UPDATE could not.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('gwsync-preferences:' || $1))`, user); err != nil {
			return fmt.Errorf("lock preferences of %q: %w", user, err)
		}
		for _, k := range keys {
			var old string
			err := tx.QueryRow(ctx, `SELECT value FROM user_preferences WHERE user_name = $1 AND key = $2`, user, k).Scan(&old)
			if err != nil && !errNoRows(err) {
				return fmt.Errorf("key %q: %w", k, err)
			}
			nv := values[k]
			if old == nv {
				continue
			}
			if nv == "" {
				_, err = tx.Exec(ctx, `DELETE FROM user_preferences WHERE user_name = $1 AND key = $2`, user, k)
			} else {
				_, err = tx.Exec(ctx, `INSERT INTO user_preferences (user_name, key, value, updated_at)
					VALUES ($1, $2, $3, date_trunc('second', now()))
					ON CONFLICT (user_name, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
					user, k, nv)
			}
			if err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
			c := state.PreferenceChange{User: user, Key: k, Old: old, New: nv, By: by}
			var at pgtype.Timestamptz
			if err := tx.QueryRow(ctx, `INSERT INTO preference_changes (user_name, key, old_value, new_value, changed_by, at)
				VALUES ($1, $2, $3, $4, $5, date_trunc('second', now())) RETURNING id, at`,
				user, k, old, nv, by).Scan(&c.ID, &at); err != nil {
				return fmt.Errorf("journal of key %q: %w", k, err)
			}
			c.At = timeOf(at)
			changes = append(changes, c)
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
	q := `SELECT id, key, old_value, new_value, changed_by, at FROM preference_changes WHERE user_name = $1 ORDER BY id DESC`
	args := []any{user}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, s.errorf(err, "preference changes of %q", user)
	}
	defer rows.Close()
	var out []state.PreferenceChange
	for rows.Next() {
		c := state.PreferenceChange{User: user}
		var at pgtype.Timestamptz
		if err := rows.Scan(&c.ID, &c.Key, &c.Old, &c.New, &c.By, &at); err != nil {
			return nil, s.errorf(err, "preference changes of %q", user)
		}
		c.At = timeOf(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf(err, "preference changes of %q", user)
	}
	return out, nil
}
