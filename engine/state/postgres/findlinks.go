package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/gwsync/gwsync/engine/state"
)

const (
	findLinksByItemSQL = `SELECT user_name, source, item_id, key, kind, activity_id,
	base_start, base_end, base_due, all_day, time_zone, item_version, activity_version, updated_at,
	pending_side, pending_start, pending_end, pending_due, pending_all_day, created_run
FROM links WHERE user_name = $1 AND (source, item_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`
	findLinksByKeySQL = `SELECT user_name, source, item_id, key, kind, activity_id,
	base_start, base_end, base_due, all_day, time_zone, item_version, activity_version, updated_at,
	pending_side, pending_start, pending_end, pending_due, pending_all_day, created_run
FROM links WHERE user_name = $1 AND key = ANY($2::text[])`
	findLinksByActivitySQL = `SELECT user_name, source, item_id, key, kind, activity_id,
	base_start, base_end, base_due, all_day, time_zone, item_version, activity_version, updated_at,
	pending_side, pending_start, pending_end, pending_due, pending_all_day, created_run
FROM links WHERE user_name = $1 AND activity_id = ANY($2::text[])`
)

// FindLinks looks the named links up in batches of state.LinkLookupBatch,
// by the primary key, links_by_key and links_by_activity. Each batch is
// read whole before fn sees it, so no connection is held while fn runs; a
// link named twice comes once.
func (s *Store) FindLinks(ctx context.Context, user string, q state.LinkQuery, fn func(state.Link) error) error {
	seen := map[state.ItemRef]bool{}
	run := func(query string, args ...any) error {
		batch, err := s.readLinks(ctx, query, append([]any{user}, args...)...)
		if err != nil {
			return s.errorf(err, "finding links of %q", user)
		}
		for _, l := range batch {
			ref := state.ItemRef{Source: l.Source, ItemID: l.ItemID}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			if err := fn(l); err != nil {
				return err
			}
		}
		return nil
	}
	for chunk := range slices.Chunk(q.Items, state.LinkLookupBatch) {
		sources, items := make([]string, len(chunk)), make([]string, len(chunk))
		for i, r := range chunk {
			sources[i], items[i] = r.Source, r.ItemID
		}
		if err := run(findLinksByItemSQL, sources, items); err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(q.Keys, state.LinkLookupBatch) {
		if err := run(findLinksByKeySQL, chunk); err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(q.ActivityIDs, state.LinkLookupBatch) {
		if err := run(findLinksByActivitySQL, chunk); err != nil {
			return err
		}
	}
	return nil
}

// genericPlanSQL makes the statement after it in the same round trip (one
// implicit transaction) run the plan PostgreSQL keeps for it. Left to
// choose (plan_cache_mode auto), PostgreSQL planned the link look-ups
// afresh on every call, its estimate for the values at hand coming out a
// little cheaper than the kept plan's: 0.12 ms to plan a look-up that runs
// in 0.04 ms, a fifth of PostgreSQL's time for a no-change run in the
// scale benchmark (pg_stat_statements with track_planning). Every look-up
// goes through an index whatever the values, so the kept plan is as good.
//
// SET LOCAL and not the pool's setting: River shares the pool, and some
// of its queries (the cleaner's, the rescuer's) need a plan for their
// values, or they scan the whole job table.
const genericPlanSQL = "SET LOCAL plan_cache_mode = force_generic_plan"

// readLinks reads the links one look-up returns, with its kept plan
// (genericPlanSQL).
func (s *Store) readLinks(ctx context.Context, query string, args ...any) ([]state.Link, error) {
	b := &pgx.Batch{}
	b.Queue(genericPlanSQL)
	var links []state.Link
	b.Queue(query, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			l, err := scanLink(rows)
			if err != nil {
				return err
			}
			links = append(links, l)
		}
		return rows.Err()
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return links, nil
}
