package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gwsync/gwsync/engine/state"
)

// ErrRunNotFound is returned (wrapped) for a run id the journal does not hold.
var ErrRunNotFound = errors.New("run not found")

// BeginRun starts a journal entry with status "running" and returns its id.
// A run that is never finished (the process was killed) keeps that status
// and a zero Finished, which is how a crashed run shows up in Runs.
func (s *Store) BeginRun(ctx context.Context, user string, dryRun bool) (int64, error) {
	if user == "" {
		return 0, errors.New("state: begin run: empty user")
	}
	var id int64
	if err := s.pool.QueryRow(ctx, `INSERT INTO runs (user_name, started, dry_run, status) VALUES ($1, $2, $3, $4) RETURNING id`,
		user, second(s.now()), dryRun, state.StatusRunning).Scan(&id); err != nil {
		return 0, s.errorf(err, "begin run of %q", user)
	}
	return id, nil
}

// RecordItems appends per-item results, in one transaction, after those
// already recorded for their runs (results of several runs may be mixed). A
// zero At is stamped with the current time. A result naming a run that does
// not exist fails the whole call (the error wraps ErrRunNotFound and names
// the result); nothing is recorded then.
func (s *Store) RecordItems(ctx context.Context, results []state.ItemResult) error {
	if len(results) == 0 {
		return nil
	}
	return s.inTx(ctx, "record items", func(tx pgx.Tx) error { return s.recordItems(ctx, tx, results) })
}

const insertRunItemsSQL = `INSERT INTO run_items (run_id, seq, action_id, source, item_id, kind, outcome, error, at)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])`

// recordItems appends results inside tx (see RecordItems).
func (s *Store) recordItems(ctx context.Context, tx pgx.Tx, results []state.ItemResult) error {
	now := s.now()
	lastSeq := map[int64]int64{} // run id → last seq used
	n := len(results)
	var (
		runIDs, seqs                                      = make([]int64, 0, n), make([]int64, 0, n)
		actions, sources, items, kinds, outcomes, errMsgs = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		ats                                               = make([]pgtype.Timestamptz, 0, n)
	)
	for i, r := range results {
		seq, known := lastSeq[r.RunID]
		if !known {
			var err error
			if seq, err = lastRunItemSeq(ctx, tx, r.RunID); err != nil {
				return fmt.Errorf("record items: result %d of %d (action %q, item %q): %w; nothing recorded",
					i+1, n, r.ActionID, r.ItemID, err)
			}
		}
		seq++
		lastSeq[r.RunID] = seq
		at := r.At
		if at.IsZero() {
			at = now
		}
		if err := checkTime(at); err != nil {
			return fmt.Errorf("record items: result %d of %d (action %q, item %q): %w; nothing recorded",
				i+1, n, r.ActionID, r.ItemID, err)
		}
		runIDs, seqs = append(runIDs, r.RunID), append(seqs, seq)
		actions, sources, items = append(actions, r.ActionID), append(sources, r.Source), append(items, r.ItemID)
		kinds, outcomes, errMsgs = append(kinds, r.Kind), append(outcomes, r.Outcome), append(errMsgs, r.Error)
		ats = append(ats, timeArg(at))
	}
	if _, err := tx.Exec(ctx, insertRunItemsSQL, runIDs, seqs, actions, sources, items, kinds, outcomes, errMsgs, ats); err != nil {
		return fmt.Errorf("record items: %w; nothing recorded", err)
	}
	return nil
}

// lastRunItemSeq returns the highest seq recorded for a run (0 if none), or
// an error wrapping ErrRunNotFound if the run does not exist. It locks the
// run's row until tx ends, so two processes recording into one run number
// their results one after the other.
func lastRunItemSeq(ctx context.Context, tx pgx.Tx, runID int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM runs WHERE id = $1 FOR UPDATE`, runID).Scan(&id)
	if errNoRows(err) {
		return 0, fmt.Errorf("run %d: %w", runID, ErrRunNotFound)
	}
	if err != nil {
		return 0, err
	}
	var seq int64
	err = tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM run_items WHERE run_id = $1`, runID).Scan(&seq)
	return seq, err
}

// FinishRun closes a run with its status ("ok", "partial" or "failed"),
// counts and error, stamping Finished with the current time. An unknown
// status is an error; an unknown run id returns an error wrapping
// ErrRunNotFound.
func (s *Store) FinishRun(ctx context.Context, runID int64, status string, counts map[string]int, errMsg string) error {
	if !state.FinalStatus(status) {
		return fmt.Errorf("state: finish run %d: status %q is not %q, %q or %q", runID, status, state.StatusOK, state.StatusPartial, state.StatusFailed)
	}
	if counts == nil {
		counts = map[string]int{}
	}
	countsJSON, err := json.Marshal(counts)
	if err != nil {
		return fmt.Errorf("state: finish run %d: %w", runID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET finished = $1, status = $2, counts = $3, error = $4 WHERE id = $5`,
		second(s.now()), status, string(countsJSON), errMsg, runID)
	if err != nil {
		return s.errorf(err, "finish run %d", runID)
	}
	if tag.RowsAffected() == 0 {
		return s.errorf(ErrRunNotFound, "finish run %d", runID)
	}
	return nil
}

const selectRunsSQL = `SELECT id, user_name, started, finished, dry_run, status, counts::text, error FROM runs`

// Runs returns the user's latest runs, newest first ("" = all users); limit
// <= 0 means no limit. Newest is by id, which increases with every BeginRun
// (start times tie at one-second precision).
func (s *Store) Runs(ctx context.Context, user string, limit int) ([]state.Run, error) {
	var lim *int // NULL: no limit
	if limit > 0 {
		lim = &limit
	}
	var (
		rows pgx.Rows
		err  error
	)
	if user == "" {
		rows, err = s.pool.Query(ctx, selectRunsSQL+` ORDER BY id DESC LIMIT $1`, lim)
	} else {
		rows, err = s.pool.Query(ctx, selectRunsSQL+` WHERE user_name = $1 ORDER BY id DESC LIMIT $2`, user, lim)
	}
	if err != nil {
		return nil, s.errorf(err, "runs of %q", user)
	}
	defer rows.Close()
	var runs []state.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, s.errorf(err, "runs of %q", user)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf(err, "runs of %q", user)
	}
	return runs, nil
}

// scanRun reads one row of selectRunsSQL.
func scanRun(rows pgx.Rows) (state.Run, error) {
	var (
		r                 state.Run
		started, finished pgtype.Timestamptz
		counts            string
	)
	if err := rows.Scan(&r.ID, &r.User, &started, &finished, &r.DryRun, &r.Status, &counts, &r.Error); err != nil {
		return state.Run{}, err
	}
	r.Started, r.Finished = timeOf(started), timeOf(finished)
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return state.Run{}, fmt.Errorf("run %d: counts %q: %w", r.ID, counts, err)
	}
	return r, nil
}

// RunItems returns the results recorded for a run, in the order they were
// recorded; none (and no error) for an unknown run.
func (s *Store) RunItems(ctx context.Context, runID int64) ([]state.ItemResult, error) {
	rows, err := s.pool.Query(ctx, `SELECT action_id, source, item_id, kind, outcome, error, at
		FROM run_items WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, s.errorf(err, "items of run %d", runID)
	}
	defer rows.Close()
	var out []state.ItemResult
	for rows.Next() {
		r := state.ItemResult{RunID: runID}
		var at pgtype.Timestamptz
		if err := rows.Scan(&r.ActionID, &r.Source, &r.ItemID, &r.Kind, &r.Outcome, &r.Error, &at); err != nil {
			return nil, s.errorf(err, "items of run %d", runID)
		}
		r.At = timeOf(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf(err, "items of run %d", runID)
	}
	return out, nil
}

// RecordIdle journals a run that found nothing to apply; see
// state.Store.RecordIdle. The newest entry of the user is extended when it
// is idle already. The user's journal is locked for the transaction
// (an advisory lock on the user's name), so two processes checking one
// user at once add one entry, not two. The lock and the statement go to
// the database in one round trip, as one implicit transaction: an idle
// check is what every user's run is most of the time. It commits without
// waiting for the disk: a database crash may lose the last second's idle
// checks from the journal, which records them only to say when a user
// was last looked at (nothing a run relies on), instead of making every
// idle run wait for a flush.
func (s *Store) RecordIdle(ctx context.Context, user string) (int64, error) {
	if user == "" {
		return 0, errors.New("state: record idle: empty user")
	}
	var id int64
	err := s.asyncTx(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, userLockKey("journal", user))
		b.Queue(recordIdleSQL, user, second(s.now()), state.StatusIdle)
	}, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		return br.QueryRow().Scan(&id)
	})
	if err != nil {
		return 0, s.errorf(err, "record idle run of %s", user)
	}
	return id, nil
}

// recordIdleSQL extends the user's newest journal entry ($1) when it is
// an idle one (finished = $2, one check more), or else adds an idle entry
// with one check; it returns the entry's id. It runs after the journal's
// advisory lock, in a snapshot taken after it.
const recordIdleSQL = `WITH last AS (SELECT id, status FROM runs WHERE user_name = $1 ORDER BY id DESC LIMIT 1),
extended AS (UPDATE runs SET finished = $2,
		counts = jsonb_set(counts, '{checks}', to_jsonb(coalesce((counts->>'checks')::int, 1) + 1))
	WHERE id = (SELECT id FROM last WHERE status = $3) RETURNING id),
added AS (INSERT INTO runs (user_name, started, finished, status, counts)
	SELECT $1, $2, $2, $3, '{"checks":1}' WHERE NOT EXISTS (SELECT 1 FROM last WHERE status = $3) RETURNING id)
SELECT id FROM extended UNION ALL SELECT id FROM added`

// lockUser takes a transaction-scoped advisory lock on (what, user): the
// read-then-write steps of RecordIdle and SettleFailures for one user run
// one at a time across processes, as SQLite's single writer makes them.
func lockUser(ctx context.Context, tx pgx.Tx, what, user string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, userLockKey(what, user)); err != nil {
		return fmt.Errorf("lock %s of %q: %w", what, user, err)
	}
	return nil
}

// userLockKey is the advisory lock key of (what, user).
func userLockKey(what, user string) int64 {
	h := fnv.New64a()
	h.Write([]byte("gwsync " + what + "\x00" + user))
	return int64(h.Sum64())
}

// nowSecond is the store's clock in UTC to the second.
func (s *Store) nowSecond() time.Time { return second(s.now()) }
