package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gwsync/gwsync/engine/state"
)

// FindLinks looks the named links up in batches of state.LinkLookupBatch,
// by the primary key, links_by_key and links_by_activity. Each batch is
// read whole before fn sees it, so fn may call the store; a link named
// twice comes once.
//
// The statements name their index (and join the item names first):
// without statistics (no ANALYZE is ever run) SQLite took "user = ?" on
// the primary key as good enough and walked all the user's links for each
// batch, which was 93 % of a 1,000,000-link plan's CPU (issue 13).
func (s *Store) FindLinks(ctx context.Context, user string, q state.LinkQuery, fn func(state.Link) error) error {
	seen := map[state.ItemRef]bool{}
	run := func(query string, args []any) error {
		rows, err := s.reader.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("state: finding links of %q: %w", user, err)
		}
		var batch []state.Link
		for rows.Next() {
			l, err := scanLink(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("state: finding links of %q: %w", user, err)
			}
			batch = append(batch, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("state: finding links of %q: %w", user, err)
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
		args := make([]any, 0, 2*len(chunk)+1)
		for _, r := range chunk {
			args = append(args, r.Source, r.ItemID)
		}
		// CROSS JOIN keeps the names outside: one primary-key search each.
		query := selectLinkColumns + ` FROM (VALUES ` + marks(len(chunk), "(?, ?)") + `) AS names
			CROSS JOIN links WHERE links.user = ? AND links.source = names.column1 AND links.item_id = names.column2`
		if err := run(query, append(args, user)); err != nil {
			return err
		}
	}
	for _, by := range []struct {
		col, index string
		list       []string
	}{{"key", "links_by_key", q.Keys}, {"activity_id", "links_by_activity", q.ActivityIDs}} {
		for chunk := range slices.Chunk(by.list, state.LinkLookupBatch) {
			args := make([]any, 0, len(chunk)+1)
			args = append(args, user)
			for _, v := range chunk {
				args = append(args, v)
			}
			query := selectLinkColumns + ` FROM links INDEXED BY ` + by.index + ` WHERE user = ? AND ` +
				by.col + ` IN (` + marks(len(chunk), "?") + `)`
			if err := run(query, args); err != nil {
				return err
			}
		}
	}
	return nil
}

// marks repeats a placeholder group n times, comma separated.
func marks(n int, group string) string {
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}
