// Package webjobs lets the web client run its manual runs as River jobs:
// it adapts worker.Queue to web.Jobs, so that neither package imports the
// other (`gwsync serve` wires it when the state is PostgreSQL).
package webjobs

import (
	"context"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/web"
	"github.com/gwsync/gwsync/worker"
)

// Jobs is web.Jobs over a worker.Queue.
type Jobs struct{ Queue *worker.Queue }

// EnqueueManual implements web.Jobs.
func (j Jobs) EnqueueManual(ctx context.Context, m web.ManualJob) (int64, bool, error) {
	run := worker.ManualRun{User: m.User, Selected: m.Selected, Secrets: m.Secrets}
	for _, a := range m.Areas {
		run.Areas = append(run.Areas, string(a))
	}
	e, err := j.Queue.EnqueueManual(ctx, run)
	return e.JobID, e.Duplicate, err
}

// Job implements web.Jobs.
func (j Jobs) Job(ctx context.Context, id int64) (web.JobStatus, error) {
	js, err := j.Queue.Job(ctx, id)
	if err != nil {
		return web.JobStatus{}, err
	}
	return statusOf(js), nil
}

// NextRuns implements web.Jobs.
func (j Jobs) NextRuns(ctx context.Context, users []string, interval time.Duration) (map[string]time.Time, error) {
	return j.Queue.NextRuns(ctx, users, interval)
}

// statusOf says a River job's state the way the run page does.
func statusOf(js worker.JobState) web.JobStatus {
	out := web.JobStatus{Attempt: js.Attempt}
	if n := len(js.Errors); n > 0 {
		out.Error = js.Errors[n-1]
	}
	switch js.State {
	case rivertype.JobStateRunning:
		out.State = web.JobRunning
		if p := js.Progress; p != nil {
			out.Phase, out.Done, out.Total = p.Phase, p.Done, p.Total
		}
	case rivertype.JobStateRetryable:
		out.State = web.JobRetrying
	case rivertype.JobStateCompleted:
		out.State = web.JobDone
		out.Result = resultOf(js.Output)
		if js.Output != nil {
			out.MoreFailed = js.Output.FailedMore
		}
	case rivertype.JobStateDiscarded:
		out.State = web.JobFailed
	case rivertype.JobStateCancelled:
		out.State = web.JobCancelled
	default: // available, pending, scheduled (also a snoozed job waiting for the user's lease)
		out.State = web.JobQueued
	}
	return out
}

// resultOf turns a job's output back into the run's result as the summary
// shows it: status, counts and the failed items.
func resultOf(o *worker.RunOutput) *engine.Result {
	if o == nil {
		return nil
	}
	res := &engine.Result{RunID: o.RunID, Status: o.Status, Counts: o.Counts}
	for _, f := range o.Failed {
		res.Items = append(res.Items, engine.ItemOutcome{ActionID: f.ActionID, Kind: engine.ActionKind(f.Kind), ItemID: f.ItemID,
			ActivityID: f.ActivityID, Subject: f.Subject, Outcome: engine.OutcomeFailed, Error: f.Error})
	}
	return res
}

var _ web.Jobs = Jobs{}
