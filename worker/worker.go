package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
)

// OpenJobFunc builds one user's engine job, starting the user's sources
// (cmd/gwsync's opener, the same one the CLI and the web client use).
// secrets are typed passwords by source name, nil for unattended runs.
// prefs are the user's stored preferences, read with the user's lease
// (state.LockOptions.ForRun), so that the opener need not read them
// again: one round trip less per job. release closes the sources and is
// called once the run is over. An error for a user the config does not
// know wraps ErrUnknownUser.
type OpenJobFunc func(ctx context.Context, user string, secrets, prefs map[string]string) (job *engine.Job, release func(), err error)

// ErrUnknownUser marks a job for a user who is not in the config (any
// more): the job is cancelled instead of retried.
var ErrUnknownUser = errors.New("unknown user")

// User is one user the worker may sync.
type User struct {
	Name string
	// Automatic users are synced by the periodic schedule.
	Automatic bool
	// AutomaticByPreference users may switch automatic matching on or
	// off themselves (their preferences): the schedule asks
	// Options.AutomaticNow each tick instead of trusting Automatic.
	AutomaticByPreference bool
	// NeedsPassword users have a source whose password is not in the
	// config: only a manual run (with the typed password) can sync them,
	// so the schedule leaves them out.
	NeedsPassword bool
}

// Defaults of Options.
const (
	DefaultConcurrency   = 8
	DefaultRescueAfter   = 2 * time.Minute
	DefaultLeaseTTL      = 30 * time.Second
	DefaultShutdownGrace = 30 * time.Second
)

// Options is what a Worker needs; New checks it.
type Options struct {
	// Pool is the PostgreSQL database that holds River's tables (the
	// state's own database). The worker never closes it.
	Pool *pgxpool.Pool
	// State is the user state the runs use and whose lease they hold.
	State   state.Store
	OpenJob OpenJobFunc
	Users   []User
	// Concurrency is how many syncs this process runs at once.
	Concurrency int
	// RescueAfter is how long a job may be running before River hands it
	// to another worker, taking its worker for dead (a SIGKILL, a lost
	// machine). A job whose worker is still alive then waits for the
	// user's lease. River looks for such jobs every 30 s, so a killed
	// worker's job runs again within RescueAfter + 30 s + LeaseTTL.
	RescueAfter time.Duration
	// LeaseTTL is how long a user's lease outlives its holder's last
	// renewal (it is renewed every LeaseTTL/3).
	LeaseTTL time.Duration
	// Interval is how often an automatic user is synced; 0 disables the
	// periodic schedule in this process (another may still run it).
	Interval time.Duration
	// AutomaticNow says whether a user with AutomaticByPreference has
	// automatic matching on now (cmd/gwsync reads the effective user, so
	// a change in the web client's preferences reaches every worker at
	// the next tick). nil: Automatic as configured.
	AutomaticNow func(ctx context.Context, user string) (bool, error)
	// ShutdownGrace is how long running syncs may go on after a shutdown
	// began before they are cancelled and handed back to the queue.
	ShutdownGrace time.Duration
	// Sealer opens the typed passwords of manual runs; nil cancels a job
	// that carries any.
	Sealer Sealer
	// Holder names this process in the lease ("worker", "serve").
	What   string
	Logger hclog.Logger
}

// Worker works sync jobs until its context ends. Build it with New.
type Worker struct {
	opts   Options
	client *river.Client[pgx.Tx]
	holder state.Holder
	log    hclog.Logger
	users  map[string]User
	// hardStop ends running syncs when a shutdown's grace is over. Syncs
	// do not run under River's job context, whose deadline only marks
	// when a job may be rescued (see New).
	hardStop   context.Context
	cancelHard context.CancelFunc
	// closing counts the jobs' sources still being closed after their
	// jobs ended (sync_job.go); Run waits for them before it returns.
	closing sync.WaitGroup
}

// New checks opts and builds the River client; it connects to nothing and
// starts nothing (Run does). Errors: a missing Pool, State or OpenJob, a
// user twice.
func New(opts Options) (*Worker, error) {
	if opts.Pool == nil || opts.State == nil || opts.OpenJob == nil {
		return nil, errors.New("worker: Pool, State and OpenJob are required")
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	opts.Concurrency = cmpOr(opts.Concurrency, DefaultConcurrency)
	opts.RescueAfter = cmpOr(opts.RescueAfter, DefaultRescueAfter)
	opts.LeaseTTL = cmpOr(opts.LeaseTTL, DefaultLeaseTTL)
	opts.ShutdownGrace = cmpOr(opts.ShutdownGrace, DefaultShutdownGrace)
	if opts.What == "" {
		opts.What = "worker"
	}
	w := &Worker{opts: opts, holder: state.CurrentHolder(opts.What), log: opts.Logger, users: map[string]User{}}
	w.hardStop, w.cancelHard = context.WithCancel(context.Background())
	for _, u := range opts.Users {
		if _, dup := w.users[u.Name]; dup {
			return nil, fmt.Errorf("worker: user %q twice", u.Name)
		}
		w.users[u.Name] = u
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &syncWorker{w: w}); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &scheduleWorker{w: w}); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	cfg := &river.Config{
		Logger:  riverLogger(opts.Logger.Named("river")),
		Workers: workers,
		// River fetches new jobs at most every FetchCooldown (100 ms by
		// default), also when a slot frees up: with syncs of tens of
		// milliseconds each slot then idled about as long as it worked
		// (the scale benchmark, issue 12). A fetch is one indexed query,
		// so fetching as soon as a slot is free costs little.
		FetchCooldown: fetchCooldown,
		Queues: map[string]river.QueueConfig{
			queueSync:     {MaxWorkers: opts.Concurrency},
			queueSchedule: {MaxWorkers: 1},
		},
		// River rescues a job only once its JobTimeout is over (never with
		// no timeout), and cancels the job's context then. A run is
		// bounded by the engine's own bounds instead (every adapter call
		// has a deadline): the sync runs under a context of its own, and
		// its worker moves the job's attempted_at forward while it runs
		// (heartbeat), so only a job whose worker died is rescued,
		// RescueAfter after its last heartbeat. A job past its timeout is
		// not "stuck" either.
		JobTimeout:           opts.RescueAfter,
		RescueStuckJobsAfter: opts.RescueAfter,
		JobStuckThreshold:    100 * 365 * 24 * time.Hour,
		// The schedule reads when each user last finished from the
		// completed jobs: they must outlive an interval.
		CompletedJobRetentionPeriod: max(24*time.Hour, 3*opts.Interval),
	}
	if opts.Interval > 0 {
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(scheduleTick(opts.Interval)),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
			&river.PeriodicJobOpts{ID: KindSchedule, RunOnStart: true})}
	}
	c, err := river.NewClient(riverpgxv5.New(opts.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("worker: river: %w", err)
	}
	w.client = c
	return w, nil
}

// fetchCooldown is the least time between two fetches of jobs by one
// worker (see New).
const fetchCooldown = 2 * time.Millisecond

// scheduleTick is how often the schedule looks for users who are due: a
// tenth of the interval, between 1 s and 1 min, so a user is synced at most
// that late.
func scheduleTick(interval time.Duration) time.Duration {
	return min(max(interval/10, time.Second), time.Minute)
}

// Run works jobs until ctx ends, then shuts down: it takes no new job,
// lets running syncs finish within ShutdownGrace, then cancels them (the
// engine stops between two batches) and hands their jobs back to the
// queue for another worker. It returns nil after such a shutdown. While
// River cannot start (the database is away, its tables are missing:
// Migrate first) it tries again, logging why.
func (w *Worker) Run(ctx context.Context) error {
	// A database that is restarting or briefly away is waited for: a
	// replica started at that moment must not exit.
	for wait := time.Second; ; wait = min(2*wait, 15*time.Second) {
		err := w.client.Start(context.WithoutCancel(ctx))
		if err == nil {
			break
		}
		w.log.Warn("worker: cannot start River, trying again", "error", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	defer w.closing.Wait()
	w.log.Info("worker started", "concurrency", w.opts.Concurrency, "rescue_after", w.opts.RescueAfter,
		"interval", w.opts.Interval)
	select {
	case <-ctx.Done():
	case <-w.client.Stopped():
		return errors.New("worker: River stopped by itself")
	}
	w.log.Info("worker stopping: no new jobs; running syncs may finish", "grace", w.opts.ShutdownGrace)
	graceCtx, cancel := context.WithTimeout(context.Background(), w.opts.ShutdownGrace)
	defer cancel()
	err := w.client.Stop(graceCtx)
	if err == nil {
		w.log.Info("worker stopped")
		return nil
	}
	w.log.Warn("grace period over: cancelling running syncs; their jobs go back to the queue")
	w.cancelHard()
	hardCtx, cancelHard := context.WithTimeout(context.Background(), time.Minute)
	defer cancelHard()
	if err := w.client.StopAndCancel(hardCtx); err != nil {
		return fmt.Errorf("worker: stopping: %w", err)
	}
	w.log.Info("worker stopped")
	return nil
}

// Queue returns a Queue over the worker's client.
func (w *Worker) Queue() *Queue {
	return &Queue{pool: w.opts.Pool, client: w.client, sealer: w.opts.Sealer}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
