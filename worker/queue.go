package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// Sealer seals and opens secrets; *secretbox.Keyring is one. Job args
// carry typed passwords only sealed.
type Sealer interface {
	Seal(purpose string, plain []byte) (string, error)
	Open(purpose string, sealed string) ([]byte, error)
}

// Queue inserts sync jobs and reads their state, without working any: for
// `gwsync jobs` and the web client. Build it with NewQueue.
type Queue struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
	sealer Sealer
}

// NewQueue builds an insert-only River client on pool; it connects to
// nothing until used. sealer seals the typed passwords of manual runs;
// nil refuses runs that carry any. River's tables must exist (Migrate).
func NewQueue(pool *pgxpool.Pool, sealer Sealer) (*Queue, error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: discardLogger()})
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	return &Queue{pool: pool, client: c, sealer: sealer}, nil
}

// Enqueued is what became of one enqueued sync.
type Enqueued struct {
	User  string
	JobID int64
	// Duplicate is true when the user already had a sync queued or
	// running: JobID is that job, and nothing was added.
	Duplicate bool
}

// EnqueueSyncs enqueues a scheduled sync for each user; users who already
// have a sync queued or running keep it. Errors: the database, or River's
// tables missing; the result then holds the users queued before it.
func (q *Queue) EnqueueSyncs(ctx context.Context, users []string) ([]Enqueued, error) {
	return enqueueSyncs(ctx, q.client, users, WhyScheduled)
}

// Enqueueing thousands of users is a few statements, not one: the first
// holds enqueueFirst users, the rest enqueueChunk each. Each commits on its
// own, so the workers start on the first users while the others are being
// inserted: one statement of 10,000 jobs kept every worker idle for its
// whole 0.2 s, a cycle's start in the scale benchmark.
const (
	enqueueFirst = 64
	enqueueChunk = 2000
)

// enqueueSyncs enqueues a sync for each user in chunks (see enqueueFirst).
// On an error the result holds what the chunks before it enqueued: River's
// uniqueness makes enqueueing those users again harmless.
func enqueueSyncs(ctx context.Context, c *river.Client[pgx.Tx], users []string, why string) ([]Enqueued, error) {
	out := make([]Enqueued, 0, len(users))
	for rest, n := users, enqueueFirst; len(rest) > 0; n = enqueueChunk {
		chunk := rest[:min(n, len(rest))]
		rest = rest[len(chunk):]
		params := make([]river.InsertManyParams, len(chunk))
		for i, u := range chunk {
			params[i] = river.InsertManyParams{Args: SyncUserArgs{User: u, Why: why}}
		}
		res, err := c.InsertMany(ctx, params)
		if err != nil {
			return out, fmt.Errorf("enqueue syncs (%d of %d queued): %w", len(out), len(users), err)
		}
		for i, r := range res {
			out = append(out, Enqueued{User: chunk[i], JobID: r.Job.ID, Duplicate: r.UniqueSkippedAsDuplicate})
		}
	}
	return out, nil
}

// ManualRun is what a person chose in the web client's wizard.
type ManualRun struct {
	User  string
	Areas []string
	// Selected are the ids of the actions the person saw selected: the
	// run applies these and nothing else (SyncUserArgs.Reviewed).
	Selected []string
	// Secrets are the passwords typed for sources whose config has none,
	// by source name; they are sealed before they enter the database.
	Secrets map[string]string
}

// EnqueueManual enqueues a person's run. When the user already has a sync
// queued or running, that job is returned with Duplicate set and the
// person's choice is not queued: the page says a sync is going on.
// Errors: secrets without a sealer, the database.
func (q *Queue) EnqueueManual(ctx context.Context, m ManualRun) (Enqueued, error) {
	args := SyncUserArgs{User: m.User, Why: WhyManual, Areas: m.Areas, Selected: m.Selected, Reviewed: true}
	if len(m.Secrets) > 0 {
		if q.sealer == nil {
			return Enqueued{}, errors.New("enqueue: typed passwords need a key to seal them (serve.secret_key_file)")
		}
		plain, err := json.Marshal(m.Secrets)
		if err != nil {
			return Enqueued{}, err
		}
		if args.Secrets, err = q.sealer.Seal(secretsPurpose, plain); err != nil {
			return Enqueued{}, fmt.Errorf("enqueue: sealing passwords: %w", err)
		}
	}
	res, err := q.client.Insert(ctx, args, nil)
	if err != nil {
		return Enqueued{}, fmt.Errorf("enqueue %s: %w", m.User, err)
	}
	return Enqueued{User: m.User, JobID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// JobState is what a page or `gwsync jobs` shows of one sync job.
type JobState struct {
	ID      int64
	User    string
	State   rivertype.JobState
	Attempt int
	// Output is what the job recorded when it finished (RunOutput);
	// nil before.
	Output *RunOutput
	// Progress is a running manual run's latest progress; nil when none
	// was written yet.
	Progress *Progress
	// Errors are the failed attempts' messages, oldest first.
	Errors []string
}

// Finished reports whether the job will not run again.
func (s JobState) Finished() bool {
	switch s.State {
	case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		return true
	}
	return false
}

// Job returns a sync job's state. Errors: no such job (river.ErrNotFound),
// the database.
func (q *Queue) Job(ctx context.Context, id int64) (JobState, error) {
	j, err := q.client.JobGet(ctx, id)
	if err != nil {
		return JobState{}, fmt.Errorf("job %d: %w", id, err)
	}
	return jobState(j), nil
}

func jobState(j *rivertype.JobRow) JobState {
	s := JobState{ID: j.ID, State: j.State, Attempt: j.Attempt}
	var a SyncUserArgs
	if json.Unmarshal(j.EncodedArgs, &a) == nil {
		s.User = a.User
	}
	if out := j.Output(); len(out) > 0 {
		var o RunOutput
		if json.Unmarshal(out, &o) == nil {
			s.Output = &o
		}
	}
	var meta struct {
		Progress *Progress `json:"progress"`
	}
	if json.Unmarshal(j.Metadata, &meta) == nil {
		s.Progress = meta.Progress
	}
	for _, e := range j.Errors {
		s.Errors = append(s.Errors, e.Error)
	}
	return s
}

// Counts are the sync jobs River holds, by state. Finished jobs are kept
// for the completed-job retention (at least 24 hours).
type Counts struct {
	// Pending are queued, scheduled, running or waiting for a retry.
	Pending int
	Running int
	// Completed finished their run (its status may be partial).
	Completed int
	// Failed are completed jobs that needed more than one attempt because
	// an attempt failed (a database restart, a killed worker).
	Failed    int
	Discarded int // gave up after the last attempt
	Cancelled int // the user left the config, or a job was cancelled
}

// Counts counts the sync jobs; since, when not zero, leaves out jobs
// created before it. Errors: the database.
func (q *Queue) Counts(ctx context.Context, since time.Time) (Counts, error) {
	var c Counts
	err := q.pool.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE state IN (`+unfinishedStatesSQL+`)),
		count(*) FILTER (WHERE state = 'running'),
		count(*) FILTER (WHERE state = 'completed'),
		count(*) FILTER (WHERE state = 'completed' AND cardinality(errors) > 0),
		count(*) FILTER (WHERE state = 'discarded'),
		count(*) FILTER (WHERE state = 'cancelled')
		FROM river_job WHERE kind = $1 AND created_at >= $2`, KindSyncUser, since).
		Scan(&c.Pending, &c.Running, &c.Completed, &c.Failed, &c.Discarded, &c.Cancelled)
	if err != nil {
		return c, fmt.Errorf("counting sync jobs: %w", err)
	}
	return c, nil
}

// Wait polls every poll until no sync job is pending, then returns the
// counts. Errors: ctx ends first (its error, with the counts then), the
// database.
func (q *Queue) Wait(ctx context.Context, since time.Time, poll time.Duration) (Counts, error) {
	for {
		busy, err := q.anyPending(ctx, since)
		if err != nil {
			return Counts{}, err
		}
		if !busy {
			return q.Counts(ctx, since)
		}
		select {
		case <-ctx.Done():
			// The counts for the caller's message, bounded on their own.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), countsTimeout)
			c, _ := q.Counts(cctx, since)
			cancel()
			return c, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// countsTimeout bounds the counts Wait reads after its ctx ended.
const countsTimeout = 5 * time.Second

// anyPending says whether a sync job is not finished yet. Wait asks it
// every poll instead of Counts, which reads every job River keeps (a day
// of finished ones) and took 18 to 25 ms at 20,000 jobs: the scale
// benchmark's `jobs wait` spent a tenth of a core of PostgreSQL on it
// while the workers worked.
//
// It looks up each unfinished state through River's fetching index (state,
// queue, ...) and stops at the first job found. The ORDER BY ... LIMIT 1
// keeps PostgreSQL on that index: with `state IN (...)`, or once its
// statistics said many jobs were available, it scanned the kind index or
// the whole table instead (6 to 11 ms at 20,000 jobs, measured).
func (q *Queue) anyPending(ctx context.Context, since time.Time) (bool, error) {
	var busy bool
	err := q.pool.QueryRow(ctx, `SELECT EXISTS (
		SELECT FROM unnest(ARRAY[`+unfinishedStatesSQL+`]::river_job_state[]) AS s(state)
		WHERE (SELECT 1 FROM river_job j
			WHERE j.state = s.state AND j.queue = $1 AND j.kind = $2 AND j.created_at >= $3
			ORDER BY j.state, j.queue, j.priority, j.scheduled_at, j.id LIMIT 1) IS NOT NULL)`,
		queueSync, KindSyncUser, since).Scan(&busy)
	if err != nil {
		return false, fmt.Errorf("looking for pending sync jobs: %w", err)
	}
	return busy, nil
}
