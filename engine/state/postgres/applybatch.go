package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gwsync/gwsync/engine/state"
)

// ApplyBatch writes links and appends per-item results in one
// transaction, so a batch's journal can never disagree with its links.
// Errors as PutLinks and RecordItems; nothing is written then.
//
// It is one round trip (BEGIN, the links' upserts, the runs' row locks,
// the results, COMMIT, pipelined) where it was six: a first import of
// N users makes one such batch per user, each on the job's path. The
// results are numbered in SQL after the last recorded one, in the
// statement that follows the lock of their run's row, so two processes
// recording into one run still number one after the other.
func (s *Store) ApplyBatch(ctx context.Context, links []state.Link, results []state.ItemResult) error {
	if len(links) == 0 && len(results) == 0 {
		return nil
	}
	for i, l := range links {
		if err := validateLink(l); err != nil {
			return s.errorf(fmt.Errorf("put links: %s: %w; nothing written", describeLink(i, len(links), l), err), "apply batch")
		}
	}
	items, err := s.itemColumns(results)
	if err != nil {
		return s.errorf(err, "apply batch")
	}
	links = lastOfEachKey(links) // one statement may not touch a row twice
	now := s.now()
	var chunks int
	var found []int64 // the runs the lock statement found
	err = s.durableTx(ctx, func(b *pgx.Batch) {
		for first := 0; first < len(links); first += linksPerStatement {
			var cols linkColumns // each statement keeps its own arguments
			chunk := links[first:min(first+linksPerStatement, len(links))]
			cols.reset(len(chunk))
			for _, l := range chunk {
				cols.add(l, now)
			}
			b.Queue(upsertLinksSQL, cols.args()...)
			chunks++
		}
		if len(results) > 0 {
			b.Queue(`SELECT id FROM runs WHERE id = ANY($1) ORDER BY id FOR UPDATE`, items.runs)
			b.Queue(insertNumberedRunItemsSQL, items.args()...)
		}
	}, func(br pgx.BatchResults) error {
		for i := 0; i < chunks; i++ {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("put links: %w; nothing written", err)
			}
		}
		if len(results) == 0 {
			return nil
		}
		rows, err := br.Query()
		if err == nil {
			found, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err == nil {
			_, err = br.Exec()
		}
		if err != nil {
			return s.missingRun(results, found, err)
		}
		return nil
	})
	if err != nil {
		return s.errorf(err, "apply batch")
	}
	return nil
}

// insertNumberedRunItemsSQL appends results, each numbered after the
// last one its run holds, in the order given.
const insertNumberedRunItemsSQL = `INSERT INTO run_items (run_id, seq, action_id, source, item_id, kind, outcome, error, at)
SELECT u.run_id,
	coalesce((SELECT max(r.seq) FROM run_items r WHERE r.run_id = u.run_id), 0) + row_number() OVER (PARTITION BY u.run_id ORDER BY u.ord),
	u.action_id, u.source, u.item_id, u.kind, u.outcome, u.error, u.at
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
	WITH ORDINALITY AS u(run_id, action_id, source, item_id, kind, outcome, error, at, ord)`

// runItemColumns holds results as one slice per column of
// insertNumberedRunItemsSQL; runs are their distinct run ids.
type runItemColumns struct {
	runID                                       []int64
	action, source, item, kind, outcome, errMsg []string
	at                                          []pgtype.Timestamptz
	runs                                        []int64
}

func (c *runItemColumns) args() []any {
	return []any{c.runID, c.action, c.source, c.item, c.kind, c.outcome, c.errMsg, c.at}
}

// itemColumns checks results (a zero At is now) and turns them into
// columns.
func (s *Store) itemColumns(results []state.ItemResult) (*runItemColumns, error) {
	now, n := s.now(), len(results)
	c := &runItemColumns{runID: make([]int64, 0, n), action: make([]string, 0, n), source: make([]string, 0, n),
		item: make([]string, 0, n), kind: make([]string, 0, n), outcome: make([]string, 0, n),
		errMsg: make([]string, 0, n), at: make([]pgtype.Timestamptz, 0, n)}
	for i, r := range results {
		at := r.At
		if at.IsZero() {
			at = now
		}
		if err := checkTime(at); err != nil {
			return nil, fmt.Errorf("record items: result %d of %d (action %q, item %q): %w; nothing recorded",
				i+1, n, r.ActionID, r.ItemID, err)
		}
		c.runID, c.action, c.source, c.item = append(c.runID, r.RunID), append(c.action, r.ActionID), append(c.source, r.Source), append(c.item, r.ItemID)
		c.kind, c.outcome, c.errMsg, c.at = append(c.kind, r.Kind), append(c.outcome, r.Outcome), append(c.errMsg, r.Error), append(c.at, timeArg(at))
		if !slices.Contains(c.runs, r.RunID) {
			c.runs = append(c.runs, r.RunID)
		}
	}
	return c, nil
}

// missingRun turns the failure of a batch's results into the error that
// names the first result whose run does not exist (wrapping
// ErrRunNotFound), or err as it is.
func (s *Store) missingRun(results []state.ItemResult, found []int64, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign key: the run is gone
		for i, r := range results {
			if !slices.Contains(found, r.RunID) {
				return fmt.Errorf("record items: result %d of %d (action %q, item %q): run %d: %w; nothing recorded",
					i+1, len(results), r.ActionID, r.ItemID, r.RunID, ErrRunNotFound)
			}
		}
	}
	return fmt.Errorf("record items: %w; nothing recorded", err)
}
