package postgres

import (
	"context"
	"slices"

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
		rows, err := s.pool.Query(ctx, query, append([]any{user}, args...)...)
		if err != nil {
			return s.errorf(err, "finding links of %q", user)
		}
		var batch []state.Link
		for rows.Next() {
			l, err := scanLink(rows)
			if err != nil {
				rows.Close()
				return s.errorf(err, "finding links of %q", user)
			}
			batch = append(batch, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
