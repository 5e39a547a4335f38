package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// Jobs is a job queue every replica shares (River on PostgreSQL;
// worker/webjobs adapts worker.Queue). With Options.Jobs set, the wizard's
// Apply enqueues the reviewed choice instead of running it in this
// process, the run page of any replica follows the job, the status page
// reads the next scheduled run from the queue, and the in-process
// scheduler does not run (the queue's periodic schedule syncs automatic
// users). Implementations must be safe for concurrent use.
type Jobs interface {
	// EnqueueManual queues a person's reviewed run. duplicate is true when
	// the user already has a sync queued or running: id is that job, and
	// nothing was queued.
	EnqueueManual(ctx context.Context, run ManualJob) (id int64, duplicate bool, err error)
	// Job returns a job's state; an error for a job the queue no longer
	// has, or the database.
	Job(ctx context.Context, id int64) (JobStatus, error)
	// NextRuns says when the schedule syncs each of users next (see
	// worker.Queue.NextRuns).
	NextRuns(ctx context.Context, users []string, interval time.Duration) (map[string]time.Time, error)
}

// ManualJob is a reviewed wizard run as a job carries it.
type ManualJob struct {
	User  string
	Areas []engine.Area
	// Selected are the ids of the actions the person saw selected; the
	// job applies these and nothing that appeared since.
	Selected []string
	// Secrets are the typed passwords by source name, in plain text: the
	// queue seals them before they enter the database.
	Secrets map[string]string
}

// Job states as the run page shows them.
const (
	JobQueued    = "queued"    // waiting for a worker
	JobRunning   = "running"   // a worker runs it
	JobRetrying  = "retrying"  // an attempt failed; it runs again later
	JobDone      = "done"      // the run finished (Result says how)
	JobFailed    = "failed"    // given up after its last attempt
	JobCancelled = "cancelled" // will not run (Error says why)
)

// JobStatus is a job as the run page follows it.
type JobStatus struct {
	State   string
	Attempt int
	// Phase, Done and Total are a running job's latest progress
	// (engine.Progress; Phase "" when none is known yet).
	Phase       string
	Done, Total int64
	// Result is the finished run: status, counts, and its failed items
	// in Items (JobDone only).
	Result *engine.Result
	// MoreFailed counts the failed items the job's output left out of
	// Result.Items (it carries a bounded number); the journal has them.
	MoreFailed int
	// Error is the latest failed attempt's message.
	Error string
}

func (j JobStatus) finished() bool {
	return j.State == JobDone || j.State == JobFailed || j.State == JobCancelled
}

// jobMarkPrefix starts the session store's wizard mark of a review that
// became a job ("job:ID"): unlike a replica's mark, every replica can
// follow it, since the job lives in the shared database.
const jobMarkPrefix = "job:"

func jobMark(id int64) string { return jobMarkPrefix + strconv.FormatInt(id, 10) }

// followedJobLocked returns the job the session's review became, if it
// did; s.mu is held.
func (s *session) followedJobLocked() (int64, bool) {
	v, ok := strings.CutPrefix(s.wizardAt, jobMarkPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil
}
