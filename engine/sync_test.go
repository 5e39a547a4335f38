package engine

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

func (w *world) activityBySubject(subject string) adapters.Activity {
	w.t.Helper()
	for _, a := range w.crm.Activities() {
		if a.Subject == subject {
			return a
		}
	}
	w.t.Fatalf("no activity %q", subject)
	return adapters.Activity{}
}

func (w *world) sync() (*Plan, *Result) {
	w.t.Helper()
	p, res, err := Sync(context.Background(), w.st, w.job)
	if err != nil {
		w.t.Fatalf("sync: %v", err)
	}
	return p, res
}

// Sync ends where Start and Apply end: the same activities, links
// and exports, and a second pass with nothing to do journals no run.
func TestSyncMatchesPlanAndExecute(t *testing.T) {
	seeded := func() *world {
		w := newWorld(t)
		seedAll(w)
		w.crm.PutActivity(adapters.Activity{Type: adapters.TypeAppointment, Subject: "Visit", Owners: []string{"alice"},
			Raster: span("2026-12-08T09:00:00Z", 1)})
		return w
	}
	a, b := seeded(), seeded()
	_, resA := a.run()
	_, resB := b.sync()
	if resA.Status != "ok" || resB.Status != "ok" || fmt.Sprint(resA.Counts) != fmt.Sprint(resB.Counts) {
		t.Fatalf("Execute %s %v, Sync %s %v", resA.Status, resA.Counts, resB.Status, resB.Counts)
	}
	if len(a.crm.Activities()) != len(b.crm.Activities()) {
		t.Fatalf("CRM %d vs %d activities", len(a.crm.Activities()), len(b.crm.Activities()))
	}
	if _, ok := b.src.Item("export-" + b.activityBySubject("Visit").ID); !ok {
		t.Fatal("Sync did not export the CRM appointment")
	}
	p, res := b.sync()
	if res.Status != state.StatusIdle || p.Writes() != 0 {
		t.Fatalf("second Sync: %d writes, result %+v; want an idle check", p.Writes(), res)
	}
}

// gatedSource emits its first items, then waits until the CRM has seen an
// Upsert (or gives up) before emitting the rest: with Sync the creates
// must reach the CRM while the listing is still going on.
type gatedSource struct {
	adapters.Source
	first   int
	upserts *atomic.Int64
	waited  time.Duration
}

func (g *gatedSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	n := 0
	return g.Source.Snapshot(ctx, req, func(it adapters.Item) error {
		if n++; n == g.first+1 {
			start := time.Now()
			for g.upserts.Load() == 0 && time.Since(start) < 5*time.Second {
				time.Sleep(time.Millisecond)
			}
			g.waited = time.Since(start)
		}
		return emit(it)
	})
}

type countingUpserts struct {
	adapters.Sink
	n *atomic.Int64
}

func (c countingUpserts) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	c.n.Add(1)
	return c.Sink.Upsert(ctx, acts)
}

func TestSyncCreatesWhileTheSourceIsStillListing(t *testing.T) {
	w := newWorld(t)
	for i := range 2*batchSize + 7 {
		w.src.PutItem(event(fmt.Sprintf("e%04d", i), span("2026-12-03T09:00:00Z", 1)))
	}
	var upserts atomic.Int64
	g := &gatedSource{Source: w.src, first: batchSize + 1, upserts: &upserts}
	w.job.Sources[0].Source = g
	w.job.CRM = countingUpserts{Sink: w.crm, n: &upserts}
	_, res := w.sync()
	if g.waited >= 5*time.Second {
		t.Fatalf("no Upsert reached the CRM while the source was still listing")
	}
	if res.Status != "ok" || res.Counts[string(ActCreate)] != 2*batchSize+7 || len(w.crm.Activities()) != 2*batchSize+7 {
		t.Fatalf("result %s %v, CRM holds %d", res.Status, res.Counts, len(w.crm.Activities()))
	}
	if p := w.plan(); len(p.Actions) != 0 || p.Unchanged != 2*batchSize+7 {
		t.Fatalf("after Sync the plan still has %d actions (%d unchanged)", len(p.Actions), p.Unchanged)
	}
}

// A listing that fails after creates were sent: those activities stand
// and are linked, the cursor is not stored, and the next run creates the
// rest without a duplicate.
func TestSyncListingFailureKeepsEarlyCreatesAndCursor(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	total := batchSize + 30
	for i := range total {
		w.src.PutItem(event(fmt.Sprintf("e%04d", i), span("2026-12-03T09:00:00Z", 1)))
	}
	listed := batchSize + 10
	w.src.FailSnapshotAfter = listed
	p, res, err := Sync(context.Background(), w.st, w.job)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) == 0 || res == nil || res.Counts[string(ActCreate)] != listed || res.Status != "partial" {
		t.Fatalf("failed listing: problems %v, result %v", p.Problems, res.Counts)
	}
	if cur, _ := w.st.Cursor(context.Background(), "alice", "cal"); cur != "" {
		t.Fatalf("cursor %q stored after a failed listing", cur)
	}
	w.src.FailSnapshotAfter = 0
	_, res = w.sync()
	if res.Status != "ok" || res.Counts[string(ActCreate)] != total-listed || len(w.crm.Activities()) != total {
		t.Fatalf("next run %s %v, CRM holds %d of %d", res.Status, res.Counts, len(w.crm.Activities()), total)
	}
}

// Creates of areas the user did not choose are not applied early either.
func TestSyncKeepsToTheAreas(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.job.Areas = []Area{AreaTasks}
	_, res := w.sync()
	if res.Counts[string(ActCreate)] != 1 || len(w.crm.Activities()) != 1 {
		t.Fatalf("with only tasks chosen: %v, CRM holds %d", res.Counts, len(w.crm.Activities()))
	}
}

// A slow listing does not keep done work uncommitted: a few creates are
// sent after flushEvery, long before a batch is full. Before, they waited
// for batchSize items or the end of the listing, so a run interrupted
// again and again barely progressed.
func TestSyncCommitsAFewCreatesWithoutWaitingForAFullBatch(t *testing.T) {
	w := newWorld(t)
	for i := range 10 {
		w.src.PutItem(event(fmt.Sprintf("e%04d", i), span("2026-12-03T09:00:00Z", 1)))
	}
	var upserts atomic.Int64
	g := &gatedSource{Source: w.src, first: 3, upserts: &upserts}
	w.job.Sources[0].Source = g
	w.job.CRM = countingUpserts{Sink: w.crm, n: &upserts}
	_, res := w.sync()
	if g.waited >= 5*time.Second {
		t.Fatal("3 creates were not sent while the listing stalled for 5 s")
	}
	if res.Counts[string(ActCreate)] != 10 || len(w.crm.Activities()) != 10 {
		t.Fatalf("result %v, CRM holds %d", res.Counts, len(w.crm.Activities()))
	}
}

func TestNextBatchSize(t *testing.T) {
	for _, c := range []struct {
		size int
		took time.Duration
		want int
	}{
		{batchSize, 8 * time.Second, batchSize / 4}, // slow: cut to about flushEvery
		{4, time.Minute, 1},                         // never below one
		{100, time.Second, 100},                     // about right: kept
		{100, 10 * time.Millisecond, 200},           // fast: grows
		{batchSize, time.Millisecond, batchSize},    // never above batchSize
	} {
		if got := nextBatchSize(c.size, c.took); got != c.want {
			t.Errorf("nextBatchSize(%d, %s) = %d, want %d", c.size, c.took, got, c.want)
		}
	}
}
