package engine

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// settleFailures records the run's failed outcomes as outstanding
// failures, resolves the ones no longer met, and marks each failed outcome
// with the date it was first seen and its attempts; failures met for the
// first time (or with another reason) count in Result.NewFailures. Sources
// the run could not see keep their failures.
func (x *executor) settleFailures(plan *Plan) error {
	failed, unknown := x.failuresOf(plan)
	settled, err := x.st.SettleFailures(context.WithoutCancel(x.ctx), x.job.User, failed, unknown)
	if err != nil {
		return fmt.Errorf("recording the run's failures: %w", err)
	}
	x.markFailures(settled)
	return nil
}

// failuresOf is what the run settles: its failed outcomes, and the
// sources it could not see (whose failures stay as they were).
func (x *executor) failuresOf(plan *Plan) (failed []state.Failure, unknown []string) {
	for _, o := range x.res.Items {
		if o.Outcome == OutcomeFailed {
			failed = append(failed, failureOf(o))
		}
	}
	seen := map[string]bool{}
	for _, r := range plan.Sources {
		if !r.failed {
			seen[r.Name] = true
		}
	}
	for _, ns := range x.job.Sources {
		if !seen[ns.Name] {
			unknown = append(unknown, ns.Name)
		}
	}
	return failed, unknown
}

// markFailures marks each failed outcome with the date its failure was
// first seen and its attempts, as settled says, and counts the new ones
// in Result.NewFailures.
func (x *executor) markFailures(settled []state.Failure) {
	byKey := map[state.Failure]state.Failure{}
	for _, f := range settled {
		byKey[state.Failure{Source: f.Source, ItemID: f.ItemID, Kind: f.Kind}] = f
	}
	counted := map[state.Failure]bool{}
	x.res.NewFailures = 0
	for i := range x.res.Items {
		o := &x.res.Items[i]
		if o.Outcome != OutcomeFailed {
			continue
		}
		k := failureOf(*o)
		k.Reason = ""
		f := byKey[k]
		o.FailingSince, o.Attempts = f.FirstSeen, f.Attempts
		if f.New && !counted[k] {
			counted[k] = true
			x.res.NewFailures++
		}
	}
}

// failureOf is the outstanding failure a failed outcome stands for.
func failureOf(o ItemOutcome) state.Failure {
	id := o.ItemID
	if id == "" {
		id = o.ActivityID // an export names the CRM activity
	}
	return state.Failure{Source: o.Source, ItemID: id, Kind: string(o.Kind), Reason: o.Error}
}
