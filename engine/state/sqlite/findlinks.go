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
func (s *Store) FindLinks(ctx context.Context, user string, q state.LinkQuery, fn func(state.Link) error) error {
	seen := map[state.ItemRef]bool{}
	run := func(where string, args []any) error {
		rows, err := s.reader.QueryContext(ctx, selectLinksSQL+" AND "+where, append([]any{user}, args...)...)
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
		args := make([]any, 0, 2*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Source, r.ItemID)
		}
		if err := run("(source, item_id) IN (VALUES "+marks(len(chunk), "(?, ?)")+")", args); err != nil {
			return err
		}
	}
	for col, list := range map[string][]string{"key": q.Keys, "activity_id": q.ActivityIDs} {
		for chunk := range slices.Chunk(list, state.LinkLookupBatch) {
			args := make([]any, len(chunk))
			for i, v := range chunk {
				args[i] = v
			}
			if err := run(col+" IN ("+marks(len(chunk), "?")+")", args); err != nil {
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
