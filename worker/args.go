package worker

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job kinds, as River's river_job.kind column holds them.
const (
	KindSyncUser = "sync_user"
	KindSchedule = "sync_schedule"
)

// Why a sync job was enqueued.
const (
	WhyScheduled = "scheduled" // the periodic schedule, or `gwsync jobs enqueue`
	WhyManual    = "manual"    // a person asked for it in the web client
)

// Queue names: syncs, and the schedule apart so that it never waits behind
// a full sync queue.
const (
	queueSync     = "sync"
	queueSchedule = "schedule"
)

// River's job states as SQL lists, for the queries over river_job:
// unfinished (queued, scheduled, running or waiting for a retry; a user's
// sync job is unique among these), and finished as far as the schedule is
// concerned (a cancelled job is not a sync that ran).
const (
	unfinishedStatesSQL = "'available','pending','retryable','running','scheduled'"
	ranStatesSQL        = "'completed','discarded'"
)

// secretsPurpose is the secretbox purpose typed passwords are sealed under
// in job args.
const secretsPurpose = "job-secrets"

// SyncUserArgs is one user's sync. Only User makes a job unique: two jobs
// for one user are never queued or running at once, whatever else they
// carry.
type SyncUserArgs struct {
	User string `json:"user" river:"unique"`
	// Why is WhyScheduled or WhyManual.
	Why string `json:"why"`
	// Areas narrows the run to these areas (a manual run's choice); empty
	// means the user's areas from the config.
	Areas []string `json:"areas,omitempty"`
	// Deselect are action ids a person deselected in the wizard. When set,
	// the run plans, deselects and applies (engine.Start); otherwise it
	// streams creates while listing (engine.Sync).
	Deselect []string `json:"deselect,omitempty"`
	// Reviewed is true for a run a person reviewed (the wizard's Apply):
	// it plans again (engine.Start) and applies only the actions whose ids
	// are in Selected, the ones the person saw selected. An action that
	// appeared since the review (a new e-mail) is not applied: nobody saw
	// it, and since it stays unselected its source's cursor is not stored,
	// so the next run offers it again.
	Reviewed bool `json:"reviewed,omitempty"`
	// Selected are the action ids a reviewed run applies (see Reviewed).
	Selected []string `json:"selected,omitempty"`
	// Secrets are the passwords typed in the browser, by source name, as
	// JSON sealed with the worker's keyring (purpose "job-secrets"); never
	// plain text, since job args are stored in the database.
	Secrets string `json:"secrets,omitempty"`
}

// Kind implements river.JobArgs.
func (SyncUserArgs) Kind() string { return KindSyncUser }

// uniqueStates are the states in which a user's sync job blocks another:
// every state before the job is finished.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// maxAttempts bounds a sync job's attempts. A rescue counts as one (a
// killed worker's job), snoozes do not; a sync that keeps failing as a
// whole is discarded after that and the schedule enqueues it afresh.
const maxAttempts = 25

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SyncUserArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueSync, MaxAttempts: maxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// ScheduleArgs is the periodic job that enqueues automatic users' syncs.
type ScheduleArgs struct{}

// Kind implements river.JobArgs.
func (ScheduleArgs) Kind() string { return KindSchedule }

// InsertOpts implements river.JobArgsWithInsertOpts: one schedule job at a
// time, even across a change of leader.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueSchedule, MaxAttempts: 3,
		UniqueOpts: river.UniqueOpts{ByState: uniqueStates}}
}

// retryAfter is how long a sync job waits before its next attempt: short at
// first (a database restart, a server that was briefly away), growing to
// at most five minutes.
func retryAfter(attempt int) time.Duration {
	return min(time.Duration(attempt*attempt)*time.Second, 5*time.Minute)
}

var (
	_ river.JobArgsWithInsertOpts = SyncUserArgs{}
	_ river.JobArgsWithInsertOpts = ScheduleArgs{}
)
