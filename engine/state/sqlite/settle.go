package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// SettleRun records the end of a run in one transaction; see
// state.Store.SettleRun. An idle check that stores no new cursor and has
// no failure to record or resolve commits without waiting for the disk
// (see inLazyTx): it only moves the idle entry's latest check.
func (s *Store) SettleRun(ctx context.Context, st state.Settlement) (state.Settled, error) {
	what, countsJSON, err := st.Check()
	if err != nil {
		return state.Settled{}, err
	}
	durable := true
	if st.RunID == 0 {
		changes, err := s.settlementChanges(ctx, st)
		if err != nil {
			return state.Settled{}, fmt.Errorf("state: %s: %w", what, err)
		}
		durable = changes
	}
	out := state.Settled{RunID: st.RunID}
	write := func(tx *sql.Tx) error {
		for source, cursor := range st.Cursors {
			if err := setCursor(ctx, tx, st.User, source, cursor); err != nil {
				return fmt.Errorf("state: %s: cursor of %s: %w", what, source, err)
			}
		}
		var err error
		if st.RunID == 0 {
			if out.RunID, err = s.recordIdle(ctx, tx, st.User); err != nil {
				return fmt.Errorf("state: %s: idle entry: %w", what, err)
			}
		} else if err = s.finishRun(ctx, tx, st.RunID, st.Status, string(countsJSON), st.Error); err != nil {
			return err
		}
		if st.Settle {
			if out.Failures, err = s.settleFailures(ctx, tx, st.User, st.Failures, st.Unknown); err != nil {
				return fmt.Errorf("state: %s: failures: %w", what, err)
			}
		}
		if st.Release {
			if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE user = ? AND token = ?`, st.Lease.User, st.Lease.Token); err != nil {
				return fmt.Errorf("state: %s: release lease: %w", what, err)
			}
		}
		return nil
	}
	if durable {
		err = s.inTx(ctx, what, write)
	} else {
		err = s.inLazyTx(ctx, what, write)
	}
	if err != nil {
		return state.Settled{}, err
	}
	return out, nil
}

// settlementChanges reports whether an idle settlement writes anything
// besides the idle entry: a cursor other than the stored one, a failure
// met, or a stored failure it resolves. It reads before the transaction;
// the caller holds the user's lease, and a wrong guess would only change
// how durable the commit is, never what it writes.
func (s *Store) settlementChanges(ctx context.Context, st state.Settlement) (bool, error) {
	if st.Settle && len(st.Failures) > 0 {
		return true, nil
	}
	if len(st.Cursors) > 0 {
		stored, err := s.Cursors(ctx, st.User)
		if err != nil {
			return false, err
		}
		for source, cursor := range st.Cursors {
			if stored[source] != cursor {
				return true, nil
			}
		}
	}
	if !st.Settle {
		return false, nil
	}
	keep := map[string]bool{}
	for _, src := range st.Unknown {
		keep[src] = true
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT DISTINCT source FROM failures WHERE user = ?`, st.User)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var source string
		if err := rows.Scan(&source); err != nil {
			return false, err
		}
		if !keep[source] {
			return true, nil
		}
	}
	return false, rows.Err()
}

// inLazyTx is inTx with a commit that does not wait for the disk
// (synchronous NORMAL for this transaction only): the commit reaches the
// disk with the next durable commit or checkpoint, and a power cut before
// that loses it. Only for writes whose loss is harmless: see where it is
// used. The state file lives on one machine (WAL needs shared memory), so
// a power cut also ends every process that was relying on such a write.
func (s *Store) inLazyTx(ctx context.Context, what string, fn func(*sql.Tx) error) error {
	c, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("state: %s: %w", what, err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return fmt.Errorf("state: %s: %w", what, err)
	}
	defer func() {
		// A connection left at NORMAL would make every later commit lazy:
		// drop it from the pool if it cannot be set back.
		if _, err := c.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = `+synchronousMode); err != nil {
			_ = c.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return commitTx(ctx, what, c, fn)
}
