package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gwsync/gwsync/engine/state"
)

// SettleRun records the end of a run in one transaction; see
// state.Store.SettleRun. Without failures to record (most runs) it is one
// round trip: BEGIN, the cursors, the journal entry, the resolved
// failures and COMMIT, pipelined. An idle check commits without waiting
// for the disk unless one of its statements changed a row besides the
// idle entry (a new cursor, a resolved failure): such a statement turns
// synchronous_commit back on for the transaction, so what a run relies on
// stays as durable as before.
func (s *Store) SettleRun(ctx context.Context, st state.Settlement) (state.Settled, error) {
	what, countsJSON, err := st.Check()
	if err != nil {
		return state.Settled{}, err
	}
	if st.Settle && len(st.Failures) > 0 {
		return s.settleRunWithFailures(ctx, st, what, countsJSON)
	}
	out := state.Settled{RunID: st.RunID}
	if st.Settle {
		out.Failures = []state.Failure{}
	}
	unknown := st.Unknown
	if unknown == nil {
		unknown = []string{}
	}
	sources := slices.Sorted(maps.Keys(st.Cursors)) // one order for fill and read
	fill := func(b *pgx.Batch) {
		for _, source := range sources {
			if cursor := st.Cursors[source]; cursor == "" {
				b.Queue(`WITH d AS (DELETE FROM cursors WHERE user_name = $1 AND source = $2 RETURNING 1)`+durableIfAny, st.User, source)
			} else {
				b.Queue(`WITH w AS (`+setCursorSQL+` RETURNING 1)`+durableIfAnyOf("w"), st.User, source, cursor)
			}
		}
		if st.RunID == 0 {
			b.Queue(`SELECT pg_advisory_xact_lock($1)`, userLockKey("journal", st.User))
			b.Queue(recordIdleSQL, st.User, s.nowSecond(), state.StatusIdle)
		} else {
			b.Queue(`WITH u AS (`+finishRunSQL+` RETURNING 1)`+failIfNone, s.nowSecond(), st.Status, string(countsJSON), st.Error, st.RunID)
		}
		if st.Settle {
			b.Queue(`SELECT pg_advisory_xact_lock($1)`, userLockKey("failures", st.User))
			b.Queue(`WITH d AS (DELETE FROM failures WHERE user_name = $1 AND NOT source = ANY($2::text[]) RETURNING 1)`+durableIfAny,
				st.User, unknown)
		}
		if st.Release {
			b.Queue(releaseLeaseSQL, st.Lease.User, st.Lease.Token)
		}
	}
	read := func(br pgx.BatchResults) error {
		for _, source := range sources {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("cursor of %s: %w", source, err)
			}
		}
		if st.RunID == 0 {
			if _, err := br.Exec(); err != nil {
				return err
			}
			if err := br.QueryRow().Scan(&out.RunID); err != nil {
				return fmt.Errorf("idle entry: %w", err)
			}
		} else if _, err := br.Exec(); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "22012" { // failIfNone
				return fmt.Errorf("run %d: %w", st.RunID, ErrRunNotFound)
			}
			return err
		}
		if st.Settle {
			for range 2 {
				if _, err := br.Exec(); err != nil {
					return fmt.Errorf("failures: %w", err)
				}
			}
		}
		if st.Release {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("release lease: %w", err)
			}
		}
		return nil
	}
	if st.RunID == 0 {
		err = s.asyncTx(ctx, fill, read)
	} else {
		err = s.durableTx(ctx, fill, read)
	}
	if err != nil {
		return state.Settled{}, s.errorf(err, "%s", what)
	}
	return out, nil
}

// settleRunWithFailures is SettleRun for a run that met failures: they are
// read and counted under the user's lock, so it takes a few round trips,
// in one durable transaction.
func (s *Store) settleRunWithFailures(ctx context.Context, st state.Settlement, what string, countsJSON []byte) (state.Settled, error) {
	out := state.Settled{RunID: st.RunID}
	err := s.inTx(ctx, what, func(tx pgx.Tx) error {
		for source, cursor := range st.Cursors {
			var err error
			if cursor == "" {
				_, err = tx.Exec(ctx, `DELETE FROM cursors WHERE user_name = $1 AND source = $2`, st.User, source)
			} else {
				_, err = tx.Exec(ctx, setCursorSQL, st.User, source, cursor)
			}
			if err != nil {
				return fmt.Errorf("%s: cursor of %s: %w", what, source, err)
			}
		}
		if st.RunID == 0 {
			if err := lockUser(ctx, tx, "journal", st.User); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, recordIdleSQL, st.User, s.nowSecond(), state.StatusIdle).Scan(&out.RunID); err != nil {
				return fmt.Errorf("%s: idle entry: %w", what, err)
			}
		} else {
			tag, err := tx.Exec(ctx, finishRunSQL, s.nowSecond(), st.Status, string(countsJSON), st.Error, st.RunID)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%s: run %d: %w", what, st.RunID, ErrRunNotFound)
			}
		}
		var err error
		if out.Failures, err = s.settleFailures(ctx, tx, st.User, st.Failures, st.Unknown); err != nil {
			return err
		}
		if st.Release {
			if _, err := tx.Exec(ctx, releaseLeaseSQL, st.Lease.User, st.Lease.Token); err != nil {
				return fmt.Errorf("%s: release lease: %w", what, err)
			}
		}
		return nil
	})
	if err != nil {
		return state.Settled{}, err
	}
	return out, nil
}

// durableIfAny ends a statement whose WITH query d returns a row for each
// row it changed: when it changed any, this transaction's commit waits for
// the disk after all (SET LOCAL, read at COMMIT).
var durableIfAny = durableIfAnyOf("d")

func durableIfAnyOf(name string) string {
	return ` SELECT set_config('synchronous_commit', 'on', true) FROM ` + name + ` LIMIT 1`
}

// failIfNone ends a statement whose WITH query u returns a row for each
// row it changed: when it changed none, the statement fails (division by
// zero, 22012), and the pipelined transaction with it, before its COMMIT
// runs; a check after the round trip would come after the commit.
const failIfNone = ` SELECT 1 / count(*) FROM u`

// finishRunSQL closes a run: $1 finished, $2 status, $3 counts, $4 error,
// $5 the run's id.
const finishRunSQL = `UPDATE runs SET finished = $1, status = $2, counts = $3, error = $4 WHERE id = $5`
