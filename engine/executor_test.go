package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// failingCommits is a state store whose ApplyBatch fails from the n-th
// call on.
type failingCommits struct {
	state.Store
	failFrom int
	mu       sync.Mutex
	calls    int
}

func (f *failingCommits) ApplyBatch(ctx context.Context, links []state.Link, res []state.ItemResult) error {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n >= f.failFrom {
		return errors.New("disk full")
	}
	return f.Store.ApplyBatch(ctx, links, res)
}

// countingSink counts Upsert calls.
type countingSink struct {
	adapters.Sink
	mu    sync.Mutex
	calls int
}

func (c *countingSink) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Sink.Upsert(ctx, acts)
}

// A batch's commit overlaps the next batch's adapter call, but a state
// failure still ends the run at once: no batch after the one in flight is
// applied, only committed batches count as done, and what was applied but
// not linked is linked (not created twice) by the next run.
func TestStateFailureStopsTheRunAfterTheBatchInFlight(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 5*batchSize; i++ {
		w.src.PutItem(event(fmt.Sprintf("e%04d", i), span("2026-03-02T09:00:00Z", 1)))
	}
	fc := &failingCommits{Store: w.st, failFrom: 2}
	sink := &countingSink{Sink: w.crm}
	w.job.CRM = sink
	p := w.plan()
	res, err := execute(context.Background(), fc, w.job, p)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Execute: %v, want the state failure", err)
	}
	if sink.calls > 3 {
		t.Fatalf("%d Upsert calls after the second commit failed, want at most 3 (committed, failed, in flight)", sink.calls)
	}
	if got := res.Counts[string(ActCreate)]; got != batchSize {
		t.Fatalf("counted %d created, want the first batch only (%d)", got, batchSize)
	}
	if n := len(w.crm.Activities()); n != sink.calls*batchSize {
		t.Fatalf("CRM holds %d activities after %d calls", n, sink.calls)
	}
	// The next run links the unlinked activities by key and creates the rest.
	w.job.CRM = w.crm
	p2, res2 := w.run()
	if k := kinds(p2); k[ActCreate] != 5*batchSize-sink.calls*batchSize || k[ActLink] != (sink.calls-1)*batchSize {
		t.Fatalf("second plan %v, want links for the applied batches and creates for the rest", k)
	}
	if res2.Status != "ok" || len(w.crm.Activities()) != 5*batchSize {
		t.Fatalf("second run %s, CRM holds %d activities, want %d", res2.Status, len(w.crm.Activities()), 5*batchSize)
	}
}
