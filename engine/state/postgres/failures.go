package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gwsync/gwsync/engine/state"
)

// SettleFailures records a run's failures and resolves the others; see
// state.Store.SettleFailures. The user's failures are locked for the
// transaction, so two runs settling at once do not count one attempt twice.
func (s *Store) SettleFailures(ctx context.Context, user string, failures []state.Failure, unknown []string) ([]state.Failure, error) {
	failures = distinct(failures)
	if len(failures) == 0 {
		return []state.Failure{}, s.resolveFailures(ctx, user, unknown)
	}
	var out []state.Failure
	err := s.inTx(ctx, "settle failures of "+user, func(tx pgx.Tx) error {
		var err error
		out, err = s.settleFailures(ctx, tx, user, failures, unknown)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settleFailures is SettleFailures inside tx, under the user's lock.
func (s *Store) settleFailures(ctx context.Context, tx pgx.Tx, user string, failures []state.Failure, unknown []string) ([]state.Failure, error) {
	failures = distinct(failures)
	out := make([]state.Failure, len(failures))
	now := s.nowSecond()
	if err := lockUser(ctx, tx, "failures", user); err != nil {
		return nil, err
	}
	old, err := failuresOf(ctx, tx, user)
	if err != nil {
		return nil, fmt.Errorf("settle failures of %q: %w", user, err)
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
		if _, err := tx.Exec(ctx, `INSERT INTO failures (user_name, source, item_id, kind, reason, first_seen, last_seen, attempts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (user_name, source, item_id, kind) DO UPDATE SET reason = excluded.reason,
			first_seen = excluded.first_seen, last_seen = excluded.last_seen, attempts = excluded.attempts`,
			user, f.Source, f.ItemID, f.Kind, f.Reason, f.FirstSeen, now, f.Attempts); err != nil {
			return nil, fmt.Errorf("settle failures of %q: failure of %s %q: %w", user, f.Source, f.ItemID, err)
		}
	}
	for k := range old {
		if met[k] || keep[k.source] {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM failures WHERE user_name = $1 AND source = $2 AND item_id = $3 AND kind = $4`,
			user, k.source, k.itemID, k.kind); err != nil {
			return nil, fmt.Errorf("settle failures of %q: %w", user, err)
		}
	}
	return out, nil
}

// resolveFailures is SettleFailures for a run that met no failure, the
// common case: every stored failure of the user is resolved except those
// of the sources in unknown. The lock and the delete go to the database in
// one round trip, as one implicit transaction.
func (s *Store) resolveFailures(ctx context.Context, user string, unknown []string) error {
	if unknown == nil {
		unknown = []string{}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, userLockKey("failures", user))
	b.Queue(`DELETE FROM failures WHERE user_name = $1 AND NOT source = ANY($2::text[])`, user, unknown)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return s.errorf(err, "settle failures of %q", user)
	}
	return nil
}

const selectFailuresSQL = `SELECT user_name, source, item_id, kind, reason, first_seen, last_seen, attempts
FROM failures WHERE user_name = $1`

// Failures returns the user's outstanding failures, oldest first (ties by
// source, item and kind, in byte order as SQLite sorts them, whatever the
// database's collation).
func (s *Store) Failures(ctx context.Context, user string) ([]state.Failure, error) {
	rows, err := s.pool.Query(ctx, selectFailuresSQL+
		` ORDER BY first_seen, source COLLATE "C", item_id COLLATE "C", kind COLLATE "C"`, user)
	if err != nil {
		return nil, s.errorf(err, "failures of %q", user)
	}
	defer rows.Close()
	var list []state.Failure
	for rows.Next() {
		f, err := scanFailure(rows)
		if err != nil {
			return nil, s.errorf(err, "failures of %q", user)
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf(err, "failures of %q", user)
	}
	return list, nil
}

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
func failuresOf(ctx context.Context, tx pgx.Tx, user string) (map[failureKey]state.Failure, error) {
	rows, err := tx.Query(ctx, selectFailuresSQL, user)
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

func scanFailure(rows pgx.Rows) (state.Failure, error) {
	var (
		f           state.Failure
		first, last pgtype.Timestamptz
	)
	if err := rows.Scan(&f.User, &f.Source, &f.ItemID, &f.Kind, &f.Reason, &first, &last, &f.Attempts); err != nil {
		return f, err
	}
	f.FirstSeen, f.LastSeen = timeOf(first), timeOf(last)
	return f, nil
}
