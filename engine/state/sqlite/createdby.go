package sqlite

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// CreatedBy returns the items whose links run runID created, through the
// partial index links_by_created_run.
func (s *Store) CreatedBy(ctx context.Context, runID int64) ([]state.ItemRef, error) {
	if runID == 0 {
		return nil, nil // 0 means "not known": no run created those
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT source, item_id FROM links WHERE created_run = ? AND created_run <> 0`, runID)
	if err != nil {
		return nil, fmt.Errorf("state: items created by run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []state.ItemRef
	for rows.Next() {
		var r state.ItemRef
		if err := rows.Scan(&r.Source, &r.ItemID); err != nil {
			return nil, fmt.Errorf("state: items created by run %d: %w", runID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: items created by run %d: %w", runID, err)
	}
	return out, nil
}
