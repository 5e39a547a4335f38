package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
)

// RunOutput is what a finished sync job records (River's job output): the
// run it journalled and its failed items, so that a page on any replica
// can show the summary the wizard showed in process.
type RunOutput struct {
	RunID  int64          `json:"run_id"`
	Status string         `json:"status"`
	Counts map[string]int `json:"counts,omitempty"`
	// Failed are the run's failed items, at most maxFailedInOutput of
	// them (the journal has them all); FailedMore counts those left out.
	Failed     []FailedItem `json:"failed,omitempty"`
	FailedMore int          `json:"failed_more,omitempty"`
}

// FailedItem is one failed outcome of a run, as the summary page lists it.
type FailedItem struct {
	ActionID   string `json:"action_id"`
	Kind       string `json:"kind"`
	ItemID     string `json:"item_id,omitempty"`
	ActivityID string `json:"activity_id,omitempty"`
	Subject    string `json:"subject,omitempty"`
	Error      string `json:"error"`
}

// maxFailedInOutput bounds the failed items a job's output carries, so
// that a run where everything failed does not make a huge job row.
const maxFailedInOutput = 200

// outputOf is what a job records of its run. Subjects the outcome lacks
// come from the plan's actions.
func outputOf(plan *engine.Plan, res *engine.Result) RunOutput {
	if res == nil {
		return RunOutput{}
	}
	out := RunOutput{RunID: res.RunID, Status: res.Status, Counts: res.Counts}
	subjects := map[string]string{}
	if plan != nil {
		for _, a := range plan.Actions {
			subjects[a.ID] = a.Subject
		}
	}
	for _, it := range res.Items {
		if it.Outcome != engine.OutcomeFailed {
			continue
		}
		if len(out.Failed) == maxFailedInOutput {
			out.FailedMore++
			continue
		}
		subj := it.Subject
		if subj == "" {
			subj = subjects[it.ActionID]
		}
		out.Failed = append(out.Failed, FailedItem{ActionID: it.ActionID, Kind: string(it.Kind), ItemID: it.ItemID,
			ActivityID: it.ActivityID, Subject: subj, Error: it.Error})
	}
	return out
}

// syncWorker works sync_user jobs.
type syncWorker struct {
	river.WorkerDefaults[SyncUserArgs]
	w *Worker
}

// NextRetry implements river.Worker: a failed sync is tried again soon.
func (s *syncWorker) NextRetry(job *river.Job[SyncUserArgs]) time.Time {
	return time.Now().Add(retryAfter(job.Attempt))
}

// Work runs one user's sync under the user's lease. A lease held by
// somebody else (a CLI run, or the attempt River took for dead and that
// is still alive) snoozes the job until about when that lease would
// expire; a job for a user the config no longer has, or whose sealed
// passwords cannot be opened, is cancelled; a run that failed as a whole
// returns its error, and River retries it.
func (s *syncWorker) Work(ctx context.Context, job *river.Job[SyncUserArgs]) error {
	w, a := s.w, job.Args
	log := w.log.With("user", a.User, "job", job.ID, "attempt", job.Attempt)
	if _, ok := w.users[a.User]; !ok {
		return river.JobCancel(fmt.Errorf("user %q: %w", a.User, ErrUnknownUser))
	}
	secrets, err := w.openSecrets(a)
	if err != nil {
		return river.JobCancel(err)
	}
	// The sync's own context: River's has a deadline at RescueAfter (see
	// New); this one ends only at a shutdown's hard stop or with the lease.
	own, stopOwn := context.WithCancel(context.WithoutCancel(ctx))
	defer stopOwn()
	defer context.AfterFunc(w.hardStop, stopOwn)()
	go w.heartbeat(own, job.ID, job.Attempt)
	var took phases
	leaseStart := time.Now()
	// The preferences come with the lease (for the opener), and the run's
	// settlement releases it (engine.Job.Lock): a no-change job's state
	// costs three round trips, the lease, the cursors and the settlement.
	lock, runCtx, err := state.LockUser(own, w.opts.State, a.User, w.holder, state.LockOptions{TTL: w.opts.LeaseTTL, ForRun: true})
	var busy *state.BusyError
	if errors.As(err, &busy) {
		wait := snoozeFor(busy.Lease, w.opts.LeaseTTL)
		log.Info("user busy: snoozed", "holder", busy.Error(), "snooze", wait)
		return river.JobSnooze(wait)
	}
	if err != nil {
		return s.handBack(fmt.Errorf("user %s: lease: %w", a.User, err))
	}
	// The lease is released even when ctx was cancelled by a shutdown.
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := lock.Unlock(uctx); err != nil {
			log.Warn("releasing the user's lease", "error", err)
		}
	}()
	took.lease = time.Since(leaseStart)
	started := time.Now()
	log.Info("sync started", "why", a.Why, "pid", w.holder.PID)
	var progress func(engine.Progress)
	if a.Why == WhyManual {
		pw := &progressWriter{w: w, jobID: job.ID, attempt: job.Attempt}
		go pw.run(runCtx)
		progress = pw.set
	}
	plan, res, err := w.runSync(runCtx, a, secrets, lock, progress, &took)
	if err != nil {
		log.Info("sync ended", append([]any{"outcome", "failed", "duration", time.Since(started).Round(time.Millisecond)}, took.fields()...)...)
		if cause := context.Cause(runCtx); errors.Is(cause, state.ErrLeaseLost) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		return s.handBack(fmt.Errorf("user %s: %w", a.User, err))
	}
	out := outputOf(plan, res)
	log.Info("sync ended", append([]any{"outcome", out.Status, "run", out.RunID, "duration", time.Since(started).Round(time.Millisecond)},
		took.fields()...)...)
	if err := river.RecordOutput(ctx, out); err != nil && ctx.Err() == nil {
		log.Warn("recording the run in the job", "error", err)
	}
	return nil
}

// handBack is the error a failed attempt returns. During a shutdown that
// cancelled running syncs, the job is snoozed instead (another worker
// takes it at once, and a normal shutdown logs no error); otherwise River
// records the error and retries.
func (s *syncWorker) handBack(err error) error {
	if s.w.hardStop.Err() != nil {
		s.w.log.Info("sync cancelled by the shutdown: handed back to the queue", "error", err)
		return river.JobSnooze(time.Millisecond)
	}
	return err
}

// heartbeat moves the running job's attempted_at forward every third of
// RescueAfter until ctx ends, so that River rescues the job only when this
// process stopped beating (it died). Errors are retried at the next beat.
func (w *Worker) heartbeat(ctx context.Context, jobID int64, attempt int) {
	t := time.NewTicker(max(w.opts.RescueAfter/3, 200*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.opts.Pool.Exec(ctx, `UPDATE river_job SET attempted_at = now()
			WHERE id = $1 AND attempt = $2 AND state = 'running'`, jobID, attempt); err != nil && ctx.Err() == nil {
			w.log.Debug("job heartbeat", "job", jobID, "error", err)
		}
	}
}

// snoozeFor is how long a job waits for a lease another holds: until the
// lease would expire, at least a second and at most one TTL, so a holder
// that finishes early does not keep the user waiting long.
func snoozeFor(l state.Lease, ttl time.Duration) time.Duration {
	return min(max(time.Until(l.Expires), time.Second), ttl)
}

// openSecrets opens the typed passwords a manual run carries.
func (w *Worker) openSecrets(a SyncUserArgs) (map[string]string, error) {
	if a.Secrets == "" {
		return nil, nil
	}
	if w.opts.Sealer == nil {
		return nil, fmt.Errorf("user %s: the job carries typed passwords, and this worker has no key to open them (serve.secret_key_file)", a.User)
	}
	plain, err := w.opts.Sealer.Open(secretsPurpose, a.Secrets)
	if err != nil {
		return nil, fmt.Errorf("user %s: opening the typed passwords (is serve.secret_key_file the same on every replica?): %w", a.User, err)
	}
	var out map[string]string
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("user %s: typed passwords: %w", a.User, err)
	}
	return out, nil
}

// runSync is the engine's lifecycle for one job: engine.Sync for runs
// nobody reviews, Start/select/Apply for a person's choice.
func (w *Worker) runSync(ctx context.Context, a SyncUserArgs, secrets map[string]string, lock *state.UserLock, progress func(engine.Progress),
	took *phases) (*engine.Plan, *engine.Result, error) {
	t := time.Now()
	job, release, err := w.opts.OpenJob(ctx, a.User, secrets, lock.Preferences())
	took.open = time.Since(t)
	if err != nil {
		return nil, nil, err
	}
	// The sources are closed (a plugin's Release, an IMAP LOGOUT) after
	// the job's slot is free again: the run is settled, and nothing waits
	// for their goodbyes. took.close is the time until then (the release
	// itself is logged at debug level).
	defer func() {
		t := time.Now()
		w.closing.Add(1)
		go func() {
			defer w.closing.Done()
			t := time.Now()
			release()
			w.log.Debug("sources closed", "user", a.User, "close_ms", float64(time.Since(t).Microseconds())/1000)
		}()
		took.close = time.Since(t)
	}()
	defer func(t time.Time) { took.run = time.Since(t) }(time.Now())
	job.Progress, job.Lock = progress, lock
	if len(a.Areas) > 0 {
		areas, err := engine.ParseAreas(strings.Join(a.Areas, ","))
		if err != nil {
			return nil, nil, err
		}
		job.Areas = areas
	}
	if !a.Reviewed && len(a.Deselect) == 0 {
		return engine.Sync(ctx, w.opts.State, job)
	}
	run, err := engine.Start(ctx, w.opts.State, job)
	if err != nil {
		return nil, nil, err
	}
	plan := run.Plan()
	if a.Reviewed {
		// Only what the person saw selected: an action planned since the
		// review is left for the next run (see SyncUserArgs.Reviewed).
		keep := make(map[string]bool, len(a.Selected))
		for _, id := range a.Selected {
			keep[id] = true
		}
		plan.SelectOnly(keep)
	}
	// An id that is no longer in the plan (the sources changed since the
	// person looked) has nothing left to deselect.
	for _, id := range a.Deselect {
		_ = plan.Deselect(id)
	}
	res, err := run.Apply(ctx)
	return plan, res, err
}

var _ river.Worker[SyncUserArgs] = (*syncWorker)(nil)
