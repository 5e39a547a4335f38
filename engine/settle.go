package engine

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// Settle records what a plan with nothing to apply still moves forward:
// each source's new cursor (held back by the same rules as Execute: a
// deselected action or an unreadable item keeps the old one) and the new
// versions of items that changed without new times. Without it, a run that
// finds only such changes would leave the cursor behind, and every later
// run would list the same changes again (internal mail that is never
// imported, a description edited in the calendar). Sources that declare
// Committer are told, as after Execute. No run is journalled.
// Call it instead of Execute when plan.Writes() is 0.
func Settle(ctx context.Context, st state.Store, job *Job, plan *Plan) error {
	if err := recordVersions(ctx, st, plan); err != nil {
		return err
	}
	// A Committed failure is logged (see committed); with no run there is
	// no journal to record it in.
	x := &executor{ctx: ctx, st: st, job: job, res: &Result{Counts: map[string]int{}}}
	return x.saveCursors(plan)
}

// recordVersions stores the versions the plan learnt (see Plan.versions).
func recordVersions(ctx context.Context, st state.Store, plan *Plan) error {
	if len(plan.versions) == 0 {
		return nil
	}
	if err := st.PutLinks(context.WithoutCancel(ctx), plan.versions); err != nil {
		return fmt.Errorf("recording %d new item versions: %w", len(plan.versions), err)
	}
	return nil
}
