package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// RecordIdle journals a run that found nothing to apply; see
// state.Store.RecordIdle. The newest entry of the user is extended when it
// is idle already, so idle checks cost one row between two real runs.
func (s *Store) RecordIdle(ctx context.Context, user string) (int64, error) {
	if user == "" {
		return 0, errors.New("state: record idle: empty user")
	}
	var id int64
	err := s.inTx(ctx, "record idle run of "+user, func(tx *sql.Tx) error {
		var err error
		id, err = s.recordIdle(ctx, tx, user)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("state: record idle run of %q: %w", user, err)
	}
	return id, nil
}

// recordIdle is RecordIdle inside tx.
func (s *Store) recordIdle(ctx context.Context, tx *sql.Tx, user string) (int64, error) {
	now := formatTime(s.now())
	var id int64
	var status, counts string
	err := tx.QueryRowContext(ctx, `SELECT id, status, counts FROM runs WHERE user = ? ORDER BY id DESC LIMIT 1`, user).
		Scan(&id, &status, &counts)
	switch {
	case err == nil && status == state.StatusIdle:
		_, err = tx.ExecContext(ctx, `UPDATE runs SET finished = ?,
			counts = json_set(counts, '$.checks', coalesce(json_extract(counts, '$.checks'), 1) + 1) WHERE id = ?`, now, id)
		return id, err
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (user, started, finished, status, counts) VALUES (?, ?, ?, ?, '{"checks":1}')`,
		user, now, now, state.StatusIdle)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// SettleFailures records a run's failures and resolves the others; see
// state.Store.SettleFailures.
func (s *Store) SettleFailures(ctx context.Context, user string, failures []state.Failure, unknown []string) ([]state.Failure, error) {
	var out []state.Failure
	err := s.inTx(ctx, "settle failures of "+user, func(tx *sql.Tx) error {
		var err error
		out, err = s.settleFailures(ctx, tx, user, failures, unknown)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state: settle failures of %q: %w", user, err)
	}
	return out, nil
}

// settleFailures is SettleFailures inside tx.
func (s *Store) settleFailures(ctx context.Context, tx *sql.Tx, user string, failures []state.Failure, unknown []string) ([]state.Failure, error) {
	failures = distinct(failures)
	out := make([]state.Failure, len(failures))
	now := s.now().UTC().Truncate(1e9)
	old, err := failuresOf(ctx, tx, user)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, src := range unknown {
		keep[src] = true
	}
	met := map[failureKey]bool{}
	for i, f := range failures {
		k := keyOf(f)
		prev, stored := old[k]
		f = state.Again(f, prev, stored, user, now)
		met[k] = true
		out[i] = f
		if _, err := tx.ExecContext(ctx, `INSERT INTO failures (user, source, item_id, kind, reason, first_seen, last_seen, attempts)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user, source, item_id, kind) DO UPDATE SET reason = excluded.reason,
			first_seen = excluded.first_seen, last_seen = excluded.last_seen, attempts = excluded.attempts`,
			user, f.Source, f.ItemID, f.Kind, f.Reason, formatTime(f.FirstSeen), formatTime(now), f.Attempts); err != nil {
			return nil, fmt.Errorf("failure of %s %q: %w", f.Source, f.ItemID, err)
		}
	}
	for k := range old {
		if met[k] || keep[k.source] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM failures WHERE user = ? AND source = ? AND item_id = ? AND kind = ?`,
			user, k.source, k.itemID, k.kind); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Failures returns the user's outstanding failures, oldest first.
func (s *Store) Failures(ctx context.Context, user string) ([]state.Failure, error) {
	rows, err := s.reader.QueryContext(ctx, selectFailuresSQL+` ORDER BY first_seen, source, item_id, kind`, user)
	if err != nil {
		return nil, fmt.Errorf("state: failures of %q: %w", user, err)
	}
	defer rows.Close()
	var list []state.Failure
	for rows.Next() {
		f, err := scanFailure(rows)
		if err != nil {
			return nil, fmt.Errorf("state: failures of %q: %w", user, err)
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: failures of %q: %w", user, err)
	}
	return list, nil
}

const selectFailuresSQL = `SELECT user, source, item_id, kind, reason, first_seen, last_seen, attempts FROM failures WHERE user = ?`

// distinct keeps the first failure of each key: the same item failing
// twice in one run is one attempt.
func distinct(failures []state.Failure) []state.Failure {
	seen := map[failureKey]bool{}
	out := failures[:0:0]
	for _, f := range failures {
		if k := keyOf(f); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

type failureKey struct{ source, itemID, kind string }

func keyOf(f state.Failure) failureKey { return failureKey{f.Source, f.ItemID, f.Kind} }

// failuresOf reads the user's stored failures inside tx, by key.
func failuresOf(ctx context.Context, tx *sql.Tx, user string) (map[failureKey]state.Failure, error) {
	rows, err := tx.QueryContext(ctx, selectFailuresSQL, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[failureKey]state.Failure{}
	for rows.Next() {
		f, err := scanFailure(rows)
		if err != nil {
			return nil, err
		}
		out[keyOf(f)] = f
	}
	return out, rows.Err()
}

func scanFailure(rows *sql.Rows) (state.Failure, error) {
	var (
		f           state.Failure
		first, last sql.NullString
	)
	if err := rows.Scan(&f.User, &f.Source, &f.ItemID, &f.Kind, &f.Reason, &first, &last, &f.Attempts); err != nil {
		return f, err
	}
	var err error
	if f.FirstSeen, err = parseTime(first); err != nil {
		return f, fmt.Errorf("failure of %s %q: first_seen: %w", f.Source, f.ItemID, err)
	}
	if f.LastSeen, err = parseTime(last); err != nil {
		return f, fmt.Errorf("failure of %s %q: last_seen: %w", f.Source, f.ItemID, err)
	}
	return f, nil
}
