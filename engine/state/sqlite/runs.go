package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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
	res, err := s.writer.ExecContext(ctx, `INSERT INTO runs (user, started, dry_run, status) VALUES (?, ?, ?, ?)`,
		user, formatTime(s.now()), dryRun, state.StatusRunning)
	if err != nil {
		return 0, fmt.Errorf("state: begin run of %q: %w", user, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("state: begin run of %q: %w", user, err)
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
	return s.inTx(ctx, "record items", func(tx *sql.Tx) error { return s.recordItems(ctx, tx, results) })
}

// recordItems appends results inside tx (see RecordItems).
func (s *Store) recordItems(ctx context.Context, tx *sql.Tx, results []state.ItemResult) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_items
		(run_id, seq, action_id, source, item_id, kind, outcome, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("state: record items: %w", err)
	}
	defer stmt.Close()
	now := s.now()
	lastSeq := map[int64]int64{} // run id → last seq used
	for i, r := range results {
		seq, known := lastSeq[r.RunID]
		if !known {
			if seq, err = lastRunItemSeq(ctx, tx, r.RunID); err != nil {
				return fmt.Errorf("state: record items: result %d of %d (action %q, item %q): %w; nothing recorded",
					i+1, len(results), r.ActionID, r.ItemID, err)
			}
		}
		seq++
		lastSeq[r.RunID] = seq
		at := r.At
		if at.IsZero() {
			at = now
		}
		if err := checkTime(at); err != nil {
			return fmt.Errorf("state: record items: result %d of %d (action %q, item %q): %w; nothing recorded",
				i+1, len(results), r.ActionID, r.ItemID, err)
		}
		if _, err := stmt.ExecContext(ctx, r.RunID, seq, r.ActionID, r.Source, r.ItemID, r.Kind, r.Outcome, r.Error,
			formatTime(at)); err != nil {
			return fmt.Errorf("state: record items: result %d of %d (action %q, item %q): %w; nothing recorded",
				i+1, len(results), r.ActionID, r.ItemID, err)
		}
	}
	return nil
}

// ApplyBatch writes links and appends per-item results in one
// transaction: an executed batch costs one commit (one fsync), and its
// journal can never disagree with its links. Errors as PutLinks and
// RecordItems; nothing is written then.
func (s *Store) ApplyBatch(ctx context.Context, links []state.Link, results []state.ItemResult) error {
	if len(links) == 0 && len(results) == 0 {
		return nil
	}
	return s.inTx(ctx, "apply batch", func(tx *sql.Tx) error {
		if len(links) > 0 {
			if err := s.putLinks(ctx, tx, links); err != nil {
				return err
			}
		}
		if len(results) > 0 {
			return s.recordItems(ctx, tx, results)
		}
		return nil
	})
}

// inTx runs fn in a write transaction and commits it; what names the
// operation in errors.
func (s *Store) inTx(ctx context.Context, what string, fn func(*sql.Tx) error) error {
	return commitTx(ctx, what, s.writer, fn)
}

// txBeginner is the writer pool or one connection taken from it.
type txBeginner interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}

// commitTx runs fn in a transaction begun on b and commits it.
func commitTx(ctx context.Context, what string, b txBeginner, fn func(*sql.Tx) error) error {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: %s: %w", what, err)
	}
	defer tx.Rollback() // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: %s: commit: %w", what, err)
	}
	return nil
}

// lastRunItemSeq returns the highest seq recorded for a run (0 if none), or
// an error wrapping ErrRunNotFound if the run does not exist.
func lastRunItemSeq(ctx context.Context, tx *sql.Tx, runID int64) (int64, error) {
	var seq sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT (SELECT MAX(seq) FROM run_items WHERE run_id = runs.id) FROM runs WHERE id = ?`,
		runID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("run %d: %w", runID, ErrRunNotFound)
	}
	return seq.Int64, err
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
	return s.finishRun(ctx, s.writer, runID, status, string(countsJSON), errMsg)
}

// execer is what runs a write: the writer pool or a transaction on it.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// finishRun is FinishRun's write, through ex (the pool, or SettleRun's
// transaction).
func (s *Store) finishRun(ctx context.Context, ex execer, runID int64, status, countsJSON, errMsg string) error {
	res, err := ex.ExecContext(ctx, `UPDATE runs SET finished = ?, status = ?, counts = ?, error = ? WHERE id = ?`,
		formatTime(s.now()), status, countsJSON, errMsg, runID)
	if err != nil {
		return fmt.Errorf("state: finish run %d: %w", runID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("state: finish run %d: %w", runID, err)
	} else if n == 0 {
		return fmt.Errorf("state: finish run %d: %w", runID, ErrRunNotFound)
	}
	return nil
}

const selectRunsSQL = `SELECT id, user, started, finished, dry_run, status, counts, error FROM runs`

// Runs returns the user's latest runs, newest first ("" = all users); limit
// <= 0 means no limit. Newest is by id, which increases with every BeginRun
// (start times tie at one-second precision). A row whose times or counts
// cannot be read back is reported as an error naming the run.
func (s *Store) Runs(ctx context.Context, user string, limit int) ([]state.Run, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var (
		rows *sql.Rows
		err  error
	)
	if user == "" {
		rows, err = s.reader.QueryContext(ctx, selectRunsSQL+` ORDER BY id DESC LIMIT ?`, limit)
	} else {
		rows, err = s.reader.QueryContext(ctx, selectRunsSQL+` WHERE user = ? ORDER BY id DESC LIMIT ?`, user, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("state: runs of %q: %w", user, err)
	}
	defer rows.Close()
	var runs []state.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("state: runs of %q: %w", user, err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: runs of %q: %w", user, err)
	}
	return runs, nil
}

// scanRun reads one row of selectRunsSQL.
func scanRun(rows *sql.Rows) (state.Run, error) {
	var (
		r                 state.Run
		started, finished sql.NullString
		counts            string
	)
	if err := rows.Scan(&r.ID, &r.User, &started, &finished, &r.DryRun, &r.Status, &counts, &r.Error); err != nil {
		return state.Run{}, err
	}
	var err error
	if r.Started, err = parseTime(started); err != nil {
		return state.Run{}, fmt.Errorf("run %d: started: %w", r.ID, err)
	}
	if r.Finished, err = parseTime(finished); err != nil {
		return state.Run{}, fmt.Errorf("run %d: finished: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return state.Run{}, fmt.Errorf("run %d: counts %q: %w", r.ID, counts, err)
	}
	return r, nil
}

// RunItems returns the results recorded for a run, in the order they were
// recorded; none (and no error) for an unknown run.
func (s *Store) RunItems(ctx context.Context, runID int64) ([]state.ItemResult, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT action_id, source, item_id, kind, outcome, error, at
		FROM run_items WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("state: items of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []state.ItemResult
	for rows.Next() {
		r := state.ItemResult{RunID: runID}
		var at sql.NullString
		if err := rows.Scan(&r.ActionID, &r.Source, &r.ItemID, &r.Kind, &r.Outcome, &r.Error, &at); err != nil {
			return nil, fmt.Errorf("state: items of run %d: %w", runID, err)
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("state: items of run %d: item %q: at: %w", runID, r.ItemID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: items of run %d: %w", runID, err)
	}
	return out, nil
}
