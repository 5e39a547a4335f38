package worker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
)

// TestReviewedRunAppliesOnlyWhatWasSeen: a manual run applies the actions
// the person saw selected; an event that appeared in the calendar after
// the review is not imported by it (nobody saw it), and the next
// scheduled run imports it.
func TestReviewedRunAppliesOnlyWhatWasSeen(t *testing.T) {
	s := newSite(t, "alice")
	migrate(t, s.pool)
	ctx := context.Background()
	job, _, _ := s.openJob(ctx, "alice", nil, nil)
	run, err := engine.Start(ctx, s.st, job)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, a := range run.Plan().Actions {
		if a.Kind == engine.ActCreate && a.ItemID != "alice-1" { // the person deselected alice-1
			seen = append(seen, a.ID)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("plan: %d creates besides alice-1, want 2", len(seen))
	}
	at := time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)
	s.sources["alice"].PutItem(adapters.Item{ID: "alice-new", Key: "ical:alice-new@example.com", Kind: adapters.KindEvent,
		Subject: "appeared after the review", Raster: adapters.Raster{Start: at, End: at.Add(time.Hour)}})

	q, err := NewQueue(s.pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := q.EnqueueManual(ctx, ManualRun{User: "alice", Selected: seen})
	if err != nil || e.Duplicate {
		t.Fatalf("enqueue: %+v, %v", e, err)
	}
	s.start(s.worker(Options{Users: users("alice")}))
	var js JobState
	waitFor(t, func() bool { js, err = q.Job(ctx, e.JobID); return err == nil && js.Finished() })
	if js.State != rivertype.JobStateCompleted || js.Output == nil || js.Output.Counts["create"] != 2 {
		t.Fatalf("manual job: %+v output %+v, want 2 creates", js, js.Output)
	}
	subjects := map[string]bool{}
	for _, a := range s.crm.Activities() {
		subjects[a.Subject] = true
	}
	if len(subjects) != 2 || subjects["appeared after the review"] || subjects["alice visit 1"] {
		t.Fatalf("CRM after the reviewed run: %v, want alice visit 0 and 2 only", subjects)
	}

	next, err := q.EnqueueSyncs(ctx, []string{"alice"})
	if err != nil || next[0].Duplicate {
		t.Fatalf("enqueue the scheduled sync: %+v, %v", next, err)
	}
	waitFor(t, func() bool { js, err = q.Job(ctx, next[0].JobID); return err == nil && js.Finished() })
	if got := len(s.crm.Activities()); got != 4 {
		t.Errorf("after the next unattended run the CRM holds %d activities, want all 4", got)
	}
}

// TestNextRunsFromTheQueue: a user never synced is due now, one with a
// finished sync at that time plus the interval, one with a sync queued
// now.
func TestNextRunsFromTheQueue(t *testing.T) {
	s := newSite(t, "done", "queued")
	migrate(t, s.pool)
	ctx := context.Background()
	q, _ := NewQueue(s.pool, nil)
	e, err := q.EnqueueSyncs(ctx, []string{"done"})
	if err != nil {
		t.Fatal(err)
	}
	stop := s.start(s.worker(Options{Users: users("done", "queued")}))
	waitFor(t, func() bool { js, err := q.Job(ctx, e[0].JobID); return err == nil && js.Finished() })
	stop() // so that the sync queued next stays queued
	var finished time.Time
	if err := s.pool.QueryRow(ctx, `SELECT finalized_at FROM river_job WHERE id = $1`, e[0].JobID).Scan(&finished); err != nil {
		t.Fatal(err)
	}
	if _, err := q.EnqueueSyncs(ctx, []string{"queued"}); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	next, err := q.NextRuns(ctx, []string{"done", "queued", "never"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !next["done"].Equal(finished.Add(time.Hour)) {
		t.Errorf("done: next %v, want %v (finished + interval)", next["done"], finished.Add(time.Hour))
	}
	for _, u := range []string{"queued", "never"} {
		if d := next[u].Sub(before); d < -time.Second || d > 5*time.Second {
			t.Errorf("%s: next %v, want about now (%v)", u, next[u], before)
		}
	}
}

// blockingSink holds every Upsert until gate is closed.
type blockingSink struct {
	adapters.Sink
	gate chan struct{}
}

func (b blockingSink) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	select {
	case <-b.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.Sink.Upsert(ctx, acts)
}

// TestManualRunWritesItsProgressToTheJob: while a manual run waits on the
// CRM, its job's metadata shows how far it came, so that any replica's
// page can show a progress bar; the job then completes as usual.
func TestManualRunWritesItsProgressToTheJob(t *testing.T) {
	s := newSite(t, "alice")
	migrate(t, s.pool)
	ctx := context.Background()
	gate := make(chan struct{})
	w, err := New(Options{Pool: s.pool, State: s.st, Users: users("alice"),
		OpenJob: func(ctx context.Context, user string, secrets, prefs map[string]string) (*engine.Job, func(), error) {
			job, release, err := s.openJob(ctx, user, secrets, prefs)
			if err == nil {
				job.CRM = blockingSink{Sink: job.CRM, gate: gate}
			}
			return job, release, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	q, _ := NewQueue(s.pool, nil)
	job, _, _ := s.openJob(ctx, "alice", nil, nil)
	run, err := engine.Start(ctx, s.st, job)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range run.Plan().Actions {
		ids = append(ids, a.ID)
	}
	e, err := q.EnqueueManual(ctx, ManualRun{User: "alice", Selected: ids})
	if err != nil {
		t.Fatal(err)
	}
	s.start(w)
	var js JobState
	// The run waits on the CRM's first write: the last progress the
	// engine gave is the calendar's snapshot, 3 items listed.
	waitFor(t, func() bool {
		js, err = q.Job(ctx, e.JobID)
		return err == nil && js.Progress != nil && js.Progress.Phase == "snapshot"
	})
	if js.State != rivertype.JobStateRunning || js.Progress.Done != 3 {
		t.Errorf("job while the CRM waits: %s, progress %+v, want running with the snapshot's 3 items", js.State, *js.Progress)
	}
	release()
	waitFor(t, func() bool { js, err = q.Job(ctx, e.JobID); return err == nil && js.Finished() })
	if js.Output == nil || js.Output.Counts["create"] != 3 {
		t.Errorf("the job after the gate opened: %+v", js)
	}
}
