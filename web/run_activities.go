package web

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine"
)

// sourceItem names an item of a groupware source, as an activity records
// where it was imported from (Activity.Source, Activity.SourceItem).
type sourceItem struct{ Source, Item string }

// recentRunsChecked is how far back a run id is looked for among the
// user's runs before the activities page says it does not know it.
const recentRunsChecked = 1000

// createdByRun returns the items whose activities the user's run created.
// A run records that on the links it created (state.Store.CreatedBy); runs
// from before that journalled each successful create, so their journal
// items are read too. This is the one place that knows both shapes.
func (s *Server) createdByRun(ctx context.Context, user string, runID int64) (map[sourceItem]bool, error) {
	runs, err := s.opts.State.Runs(ctx, user, recentRunsChecked)
	if err != nil {
		return nil, fmt.Errorf("The run journal could not be read: %v", err)
	}
	mine := false
	for _, r := range runs {
		mine = mine || r.ID == runID
	}
	if !mine {
		return nil, fmt.Errorf("Run %d is not one of your last %d runs.", runID, recentRunsChecked)
	}
	items, err := s.opts.State.RunItems(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("The journal of run %d could not be read: %v", runID, err)
	}
	out := map[sourceItem]bool{}
	refs, err := s.opts.State.CreatedBy(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("The links of run %d could not be read: %v", runID, err)
	}
	for _, r := range refs {
		out[sourceItem{r.Source, r.ItemID}] = true
	}
	for _, it := range items {
		if it.Kind == string(engine.ActCreate) && it.Outcome == engine.OutcomeOK {
			out[sourceItem{it.Source, it.ItemID}] = true
		}
	}
	return out, nil
}
