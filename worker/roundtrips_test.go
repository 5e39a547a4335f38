package worker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/postgres"
)

// tripCounter is a pgx tracer that records every statement and every
// pipelined batch sent to the server: each is one round trip (a
// connection's first use of a statement may add a Describe, which this
// does not see).
type tripCounter struct {
	mu    sync.Mutex
	on    bool
	trips []string
}

func (c *tripCounter) add(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.trips = append(c.trips, what)
	}
}

// count starts counting anew; stop returns what was counted since.
func (c *tripCounter) count() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on, c.trips = true, nil
}

func (c *tripCounter) stop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.trips
}

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(oneLine(d.SQL))
	return ctx
}

func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	var sqls []string
	for _, q := range d.Batch.QueuedQueries {
		sqls = append(sqls, oneLine(q.SQL))
	}
	c.add(fmt.Sprintf("batch of %d: %s", len(sqls), strings.Join(sqls, " | ")))
	return ctx
}

func (c *tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func oneLine(sql string) string {
	sql = strings.Join(strings.Fields(sql), " ")
	if len(sql) > 70 {
		sql = sql[:70] + "…"
	}
	return sql
}

// changeLog is a source that lists by cursor (as IMAP does): a snapshot
// from its cursor finds nothing new and hands the cursor back.
type changeLog struct{ *memory.Store }

func (s changeLog) Info(ctx context.Context) (adapters.Info, error) {
	i, err := s.Store.Info(ctx)
	i.Capabilities.Incremental = true
	return i, err
}

func (s changeLog) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if req.Cursor != "" {
		return adapters.SnapshotEnd{Cursor: req.Cursor}, nil
	}
	end, err := s.Store.Snapshot(ctx, req, emit)
	end.Cursor = "v1"
	return end, err
}

// maxNoChangeTrips is what a worker's job costs in state round trips when
// nothing changed: the lease with the preferences and cursors, and the
// settlement with the lease's release. Raise it only knowingly: at scale
// every user pays each one on every run.
const maxNoChangeTrips = 2

// TestWorkerJobStateRoundTrips counts the state store's round trips of a
// worker's sync job against a real PostgreSQL, for a source and a CRM that
// both list by change (the common case at scale): a first import, then a
// job that finds nothing new.
func TestWorkerJobStateRoundTrips(t *testing.T) {
	s := newSite(t, "alice")
	migrate(t, s.pool)
	ctx := context.Background()
	trips := &tripCounter{}
	cfg, err := pgxpool.ParseConfig(s.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = trips
	st, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s.st = st
	s.crm.ChangeCursor = true
	w := s.worker(Options{Users: users("alice")})
	w.opts.OpenJob = func(ctx context.Context, user string, secrets, prefs map[string]string) (*engine.Job, func(), error) {
		job, release, err := s.openJob(ctx, user, secrets, prefs)
		if err == nil {
			job.Sources[0].Source = changeLog{Store: s.sources[user]}
		}
		return job, release, err
	}
	s.start(w)
	q, err := NewQueue(s.pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	job := func(what string) []string {
		t.Helper()
		trips.count()
		enq, err := q.EnqueueSyncs(ctx, []string{"alice"})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool {
			js, err := q.Job(ctx, enq[0].JobID)
			return err == nil && js.State == rivertype.JobStateCompleted
		})
		got := trips.stop()
		t.Logf("%s job: %d state round trips", what, len(got))
		for _, tr := range got {
			t.Logf("  %s", tr)
		}
		return got
	}
	job("first")
	if n := len(s.crm.Activities()); n != 3 {
		t.Fatalf("the first job wrote %d activities, want 3", n)
	}
	// The CRM cursor the first run stored is from before its writes: the
	// second lists them once more, and looks their links up.
	job("second")
	for i := range 2 {
		if got := job("no-change"); len(got) != maxNoChangeTrips {
			t.Errorf("no-change job %d: %d state round trips, want %d:\n%s", i+1, len(got), maxNoChangeTrips, strings.Join(got, "\n"))
		}
	}
	runs, err := st.Runs(ctx, "alice", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Status != "idle" {
		t.Errorf("journal %+v, want the first run and one idle entry", runs)
	}
	// The settlement released the lease: it is free at once.
	if _, err := st.TryLease(ctx, "alice", w.holder, time.Minute); err != nil {
		t.Errorf("the lease after the jobs: %v", err)
	}
}
