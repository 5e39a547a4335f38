package engine

import (
	"context"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// Sync plans and applies a job in one pass, for runs nobody reviews
// (`gwsync sync --yes` without exclusions). Creating the activities of new
// items is most of a first import; here they go to the CRM in batches while
// the sources are still being listed, so the CRM's writes overlap the
// listing instead of following it. Everything else waits for the whole
// plan, as with Start and Apply: time changes, links of existing
// activities, exports, cursors. Every rule of Execute holds: a create is
// confirmed before its link is written, creates are idempotent by key, and
// a source whose listing fails keeps its cursor (the creates sent for it
// stand: those items exist). With nothing to apply it is an idle check,
// as Apply. A planning failure before anything was written (the CRM
// cannot be listed) is journalled as a failed run; res is nil then.
func Sync(ctx context.Context, st state.Store, job *Job) (*Plan, *Result, error) {
	x := newExecutor(ctx, st, job)
	early := make(chan *Action, batchSize)
	streamed := make(chan error, 1)
	go func() { streamed <- x.runEarly(early) }()
	plan, err := buildPlan(ctx, st, job, early)
	serr := <-streamed
	switch {
	case err != nil && x.res.RunID == 0:
		journalFailed(ctx, st, job, err)
		return nil, nil, err
	case err != nil:
		res, _ := x.close(nil, err)
		return nil, res, err
	case x.res.RunID == 0 && plan.Writes() == 0 && len(plan.Problems) == 0:
		res, err := x.idle(plan)
		return plan, res, err
	}
	if err := x.begin(); err != nil {
		return plan, nil, err
	}
	res, err := x.finishPlan(plan, serr)
	return plan, res, err
}

// runEarly applies the creates the planner streams, in full batches, or
// sooner when the first create of a batch has waited flushEvery (a slow
// listing must not keep done work uncommitted), and the rest when the
// stream ends. It opens the run's journal entry with the first. After a
// failure it only drains the stream.
func (x *executor) runEarly(early <-chan *Action) error {
	pl := &pipeline{x: x}
	var batch []*Action
	var err error
	due := time.NewTimer(flushEvery)
	due.Stop()
	defer due.Stop()
	flush := func() {
		if err == nil && len(batch) > 0 {
			err, batch = pl.batch(ActCreate, batch), nil
		}
	}
	for {
		select {
		case a, open := <-early:
			if !open {
				flush()
				if werr := pl.wait(); err == nil {
					err = werr
				}
				return err
			}
			if err != nil {
				continue
			}
			if err = x.begin(); err != nil {
				continue
			}
			if len(batch) == 0 {
				due.Reset(flushEvery)
			}
			if batch = append(batch, a); len(batch) == batchSize {
				due.Stop()
				flush()
			}
		case <-due.C:
			flush()
		}
	}
}

// journalFailed records a run that failed before it could write anything
// (the CRM could not be listed), so that the journal and status show it. A
// cancelled run is not a failure of the user's data and is not recorded.
func journalFailed(ctx context.Context, st state.Store, job *Job, cause error) {
	if ctx.Err() != nil {
		return
	}
	bg := context.WithoutCancel(ctx)
	id, err := st.BeginRun(bg, job.User, false)
	if err == nil {
		err = st.FinishRun(bg, id, state.StatusFailed, nil, cause.Error())
	}
	if err != nil {
		job.logger().Error("journalling a failed run", "user", job.User, "error", err, "cause", cause)
	}
}
