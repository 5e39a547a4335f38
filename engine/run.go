package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// Run is one user's sync through the one lifecycle every front-end shares
// (the CLI, the web wizard, the scheduler, the workers):
//
//	run, err := engine.Start(ctx, st, job) // list and plan; nothing is written
//	run.Plan().Deselect(ids...)           // optional: change the selection
//	res, err := run.Apply(ctx)            // write, settle cursors, journal
//
// A run nobody reviews uses Sync, which does both in one pass. Either way
// the engine decides what a run with nothing to write records (an idle
// check, see state.Store.RecordIdle), when cursors move, which failures
// are new, and what the journal says; a front-end only shows the plan and
// the Result.
type Run struct {
	st      state.Store
	job     *Job
	plan    *Plan
	applied bool
}

// Start lists every source of the job and the user's CRM activities,
// compares them with the links in st and returns the run with its plan.
// Nothing is written. A source whose listing fails is reported in the plan
// and planned as "unknown": none of its links counts as deleted. A CRM
// listing that fails fails the start.
func Start(ctx context.Context, st state.Store, job *Job) (*Run, error) {
	plan, err := planJob(ctx, st, job)
	if err != nil {
		return nil, err
	}
	return &Run{st: st, job: job, plan: plan}, nil
}

// Plan is the run's plan. Its selection may be changed until Apply.
func (r *Run) Plan() *Plan { return r.plan }

// Apply applies the plan's selected actions (see execute for the rules),
// stores the cursors that may move and journals the run. A plan with
// nothing to write and no problem is an idle check: cursors and new item
// versions are recorded, and the journal's idle entry is extended (Result
// status "idle"). A plan whose listings failed is journalled as a run, with
// its problems. Apply may be called once.
//
// The Result says which failures are new (Result.NewFailures); a failure
// met again unchanged carries the date it was first seen and the number of
// runs that met it. The error return is for failures of the run itself
// (the state store cannot be written, ctx cancelled).
func (r *Run) Apply(ctx context.Context) (*Result, error) {
	if r.applied {
		return nil, errors.New("engine: the run of " + r.job.User + " was applied already")
	}
	r.applied = true
	x := newExecutor(ctx, r.st, r.job)
	if r.plan.Writes() == 0 && len(r.plan.Problems) == 0 {
		return x.idle(r.plan)
	}
	if err := x.begin(); err != nil {
		return nil, err
	}
	return x.finishPlan(r.plan, nil)
}

// planJob plans without streaming (Start, and tests).
func planJob(ctx context.Context, st state.Store, job *Job) (*Plan, error) {
	return buildPlan(ctx, st, job, nil)
}

// idle records a run that writes nothing: the new versions the plan
// learnt and each source's new cursor (without them the same changes
// would be listed again every run: internal mail never imported, a
// description edited in the calendar), the idle check in the journal, and
// that every earlier failure is resolved.
func (x *executor) idle(plan *Plan) (*Result, error) {
	if err := recordVersions(x.ctx, x.st, plan); err != nil {
		return nil, err
	}
	cursors := x.cursorsToStore(plan)
	crm, crmOK := x.crmCursorToStore(plan)
	st := state.Settlement{User: x.job.User, Cursors: changedCursors(cursorMap(cursors, crm, crmOK), plan), Settle: true}
	st.Failures, st.Unknown = x.failuresOf(plan)
	released := x.releaseInSettlement(&st, cursors)
	settled, err := x.st.SettleRun(context.WithoutCancel(x.ctx), st)
	released(err)
	if err != nil {
		return nil, fmt.Errorf("journalling the idle check: %w", err)
	}
	x.res.RunID, x.res.Status = settled.RunID, state.StatusIdle
	x.markFailures(settled.Failures)
	if x.tellCommitted(cursors) {
		if err := x.settleFailures(plan); err != nil {
			return x.res, err
		}
	}
	return x.res, nil
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
