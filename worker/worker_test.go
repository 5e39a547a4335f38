package worker

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// site is a PostgreSQL database holding River's tables and the state,
// and memory adapters: each
// user has a calendar of three events, and all share one CRM.
type site struct {
	t       *testing.T
	pool    *pgxpool.Pool
	st      state.Store
	crm     *memory.Store
	sources map[string]*memory.Store
	mu      sync.Mutex
	opened  map[string]int // user → jobs opened
}

func newSite(t *testing.T, users ...string) *site {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &site{t: t, pool: pool, st: st, crm: memory.NewStore(), sources: map[string]*memory.Store{}, opened: map[string]int{}}
	base := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, u := range users {
		src := memory.NewStore()
		for i := range 3 {
			st := base.Add(time.Duration(i) * 24 * time.Hour)
			src.PutItem(adapters.Item{ID: fmt.Sprintf("%s-%d", u, i), Key: fmt.Sprintf("ical:%s-%d@example.com", u, i),
				Kind: adapters.KindEvent, Subject: fmt.Sprintf("%s visit %d", u, i),
				Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)}})
		}
		s.sources[u] = src
	}
	return s
}

func (s *site) openJob(_ context.Context, user string, _, _ map[string]string) (*engine.Job, func(), error) {
	src, ok := s.sources[user]
	if !ok {
		return nil, nil, fmt.Errorf("user %q: %w", user, ErrUnknownUser)
	}
	s.mu.Lock()
	s.opened[user]++
	s.mu.Unlock()
	return &engine.Job{User: user, Email: user + "@example.com", CRM: s.crm,
		Sources: []engine.NamedSource{{Name: "cal", Source: src}}, Policy: engine.NewestWins,
		Window: adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
	}, func() {}, nil
}

func (s *site) worker(o Options) *Worker {
	s.t.Helper()
	o.Pool, o.State, o.OpenJob = s.pool, s.st, s.openJob
	if o.Logger == nil {
		o.Logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: testWriter{s.t}})
	}
	w, err := New(o)
	if err != nil {
		s.t.Fatal(err)
	}
	return w
}

// start runs w until the test ends (or stop is called).
func (s *site) start(w *Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				s.t.Errorf("worker: %v", err)
			}
		})
	}
	s.t.Cleanup(stop)
	return stop
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func migrate(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if err := Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateConcurrently starts River's migration from several replicas
// at once: all succeed and the tables exist once.
func TestMigrateConcurrently(t *testing.T) {
	s := newSite(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() { errs[i] = Migrate(context.Background(), s.pool) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM river_job").Scan(&n); err != nil {
		t.Fatalf("river_job after migrating: %v", err)
	}
}

func users(names ...string) []User {
	out := make([]User, len(names))
	for i, n := range names {
		out[i] = User{Name: n}
	}
	return out
}

// TestSyncJobsUniquePerUser enqueues users twice before any worker runs:
// the second enqueue adds nothing, and each user is synced once, journalled
// in the state, with every item in the CRM once.
func TestSyncJobsUniquePerUser(t *testing.T) {
	s := newSite(t, "alice", "bob")
	migrate(t, s.pool)
	ctx := context.Background()
	q, err := NewQueue(s.pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := q.EnqueueSyncs(ctx, []string{"alice", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := q.EnqueueSyncs(ctx, []string{"bob", "alice", "zoe"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range first {
		if e.Duplicate {
			t.Errorf("first enqueue of %s: duplicate", e.User)
		}
	}
	if !again[0].Duplicate || !again[1].Duplicate || again[0].JobID != first[1].JobID {
		t.Errorf("second enqueue of bob and alice = %+v, want the first jobs %+v", again[:2], first)
	}
	if again[2].Duplicate {
		t.Errorf("zoe: %+v", again[2])
	}
	s.start(s.worker(Options{Users: users("alice", "bob"), Concurrency: 2}))
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := q.Wait(wctx, time.Time{}, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("wait: %v (%+v)", err, c)
	}
	if c.Completed != 2 || c.Cancelled != 1 || c.Discarded != 0 {
		t.Errorf("counts = %+v, want 2 completed and zoe (not in the config) cancelled", c)
	}
	if got := len(s.crm.Activities()); got != 6 {
		t.Errorf("CRM holds %d activities, want 6", got)
	}
	for _, u := range []string{"alice", "bob"} {
		runs, err := s.st.Runs(ctx, u, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Status != state.StatusOK {
			t.Errorf("%s's journal: %+v, want one ok run", u, runs)
		}
		if s.opened[u] != 1 {
			t.Errorf("%s's job opened %d times", u, s.opened[u])
		}
	}
	js, err := q.Job(ctx, first[0].JobID)
	if err != nil {
		t.Fatal(err)
	}
	if js.State != rivertype.JobStateCompleted || js.Output == nil || js.Output.RunID == 0 || js.Output.Counts["create"] != 3 {
		t.Errorf("alice's job: %+v output %+v", js, js.Output)
	}
}

// TestScheduleSurvivesRestart: the periodic schedule syncs the automatic
// user (not the manual one) when the worker starts; a restarted worker
// does not sync them again before the interval is over.
func TestScheduleSurvivesRestart(t *testing.T) {
	s := newSite(t, "auto", "manual")
	migrate(t, s.pool)
	ctx := context.Background()
	q, _ := NewQueue(s.pool, nil)
	us := []User{{Name: "auto", Automatic: true}, {Name: "manual"}}
	stop := s.start(s.worker(Options{Users: us, Interval: time.Hour}))
	waitFor(t, func() bool { c, _ := q.Counts(ctx, time.Time{}); return c.Completed == 1 })
	stop()
	s.start(s.worker(Options{Users: us, Interval: time.Hour}))
	// The restarted leader runs the schedule at once (RunOnStart); wait
	// for that schedule job to finish, then nothing may have been added.
	waitFor(t, func() bool {
		var n int
		s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, KindSchedule).Scan(&n)
		return n >= 2
	})
	c, err := q.Counts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Completed != 1 || c.Pending != 0 {
		t.Errorf("after a restart: %+v, want only the first sync", c)
	}
	if s.opened["manual"] != 0 || s.opened["auto"] != 1 {
		t.Errorf("opened: %v", s.opened)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSyncWaitsForTheLease: while a CLI run holds alice's lease, her job
// is snoozed and nothing is synced; once the lease is released the job
// runs.
func TestSyncWaitsForTheLease(t *testing.T) {
	s := newSite(t, "alice")
	migrate(t, s.pool)
	ctx := context.Background()
	cli := state.Holder{Host: "host-a", PID: 4242, What: "gwsync sync"}
	lease, err := s.st.TryLease(ctx, "alice", cli, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := NewQueue(s.pool, nil)
	enq, err := q.EnqueueSyncs(ctx, []string{"alice"})
	if err != nil {
		t.Fatal(err)
	}
	s.start(s.worker(Options{Users: users("alice"), LeaseTTL: 2 * time.Second}))
	// A snoozed job goes back to available with its attempt undone: wait
	// for a few attempts to have been taken and snoozed.
	waitFor(t, func() bool {
		var n int
		s.pool.QueryRow(ctx, `SELECT coalesce((metadata->>'snoozes')::int, 0) FROM river_job WHERE id = $1`, enq[0].JobID).Scan(&n)
		return n >= 2
	})
	if js, _ := q.Job(ctx, enq[0].JobID); js.Finished() {
		t.Fatalf("job finished while the CLI held the lease: %+v", js)
	}
	if n := s.opened["alice"]; n != 0 || len(s.crm.Activities()) != 0 {
		t.Fatalf("synced beside the CLI's lease: %d jobs opened, %d activities", n, len(s.crm.Activities()))
	}
	if err := s.st.ReleaseLease(ctx, lease); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if c, err := q.Wait(wctx, time.Time{}, 100*time.Millisecond); err != nil || c.Completed != 1 {
		t.Fatalf("after the release: %+v %v", c, err)
	}
	if got := len(s.crm.Activities()); got != 3 {
		t.Errorf("CRM holds %d activities, want 3", got)
	}
}

// newQueueSite is a site with River's tables and a queue on them, for
// tests that need no worker.
func newQueueSite(t *testing.T) (*site, *Queue) {
	t.Helper()
	s := newSite(t)
	migrate(t, s.pool)
	q, err := NewQueue(s.pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, q
}

// TestEnqueueInChunks enqueues more users than the first two chunks hold
// (with some already queued): every user gets one job, in the order given,
// and enqueueing them all again adds none.
func TestEnqueueInChunks(t *testing.T) {
	s, q := newQueueSite(t)
	ctx := context.Background()
	names := make([]string, enqueueFirst+enqueueChunk+5)
	for i := range names {
		names[i] = fmt.Sprintf("user%05d", i)
	}
	early, err := q.EnqueueSyncs(ctx, names[enqueueFirst-1:enqueueFirst+1])
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.EnqueueSyncs(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Fatalf("%d results for %d users", len(got), len(names))
	}
	ids := map[int64]bool{}
	for i, e := range got {
		wantDup := i == enqueueFirst-1 || i == enqueueFirst
		if e.User != names[i] || e.Duplicate != wantDup || ids[e.JobID] {
			t.Fatalf("result %d = %+v, want %s (duplicate %v) with a job of its own", i, e, names[i], wantDup)
		}
		ids[e.JobID] = true
	}
	if got[enqueueFirst].JobID != early[1].JobID {
		t.Errorf("%s kept job %d, want its earlier job %d", names[enqueueFirst], got[enqueueFirst].JobID, early[1].JobID)
	}
	again, err := q.EnqueueSyncs(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range again {
		if !e.Duplicate || e.JobID != got[i].JobID {
			t.Fatalf("again %d = %+v, want the duplicate of job %d", i, e, got[i].JobID)
		}
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1`, KindSyncUser).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(names) {
		t.Errorf("river_job holds %d sync jobs, want %d", n, len(names))
	}
}

// TestAnyPendingSeesEveryUnfinishedState puts one sync job in each state
// River has: Wait's look-up finds the unfinished ones only, and not a job
// of another kind or queue, or one created before since.
func TestAnyPendingSeesEveryUnfinishedState(t *testing.T) {
	s, q := newQueueSite(t)
	ctx := context.Background()
	since := time.Now().Add(-time.Hour)
	insert := func(state, queue, kind string, created time.Time) int64 {
		t.Helper()
		var id int64
		err := s.pool.QueryRow(ctx, `INSERT INTO river_job (state, queue, kind, args, created_at, finalized_at)
			VALUES ($1::river_job_state, $2, $3, '{}', $4,
				CASE WHEN $1 IN ('completed', 'cancelled', 'discarded') THEN now() END) RETURNING id`,
			state, queue, kind, created).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	pending := func() bool {
		t.Helper()
		busy, err := q.anyPending(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		return busy
	}
	for _, st := range []string{"completed", "cancelled", "discarded"} {
		insert(st, queueSync, KindSyncUser, time.Now())
	}
	insert("available", queueSchedule, "schedule", time.Now())
	insert("available", queueSync, "other", time.Now())
	insert("available", queueSync, KindSyncUser, since.Add(-time.Minute))
	if pending() {
		t.Fatal("pending with only finished, other or older jobs")
	}
	for _, st := range []string{"available", "running", "retryable", "scheduled", "pending"} {
		id := insert(st, queueSync, KindSyncUser, time.Now())
		if !pending() {
			t.Errorf("a %s sync job is not seen as pending", st)
		}
		if _, err := s.pool.Exec(ctx, `DELETE FROM river_job WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
	}
}
