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
	sizes []int // activities per call, in order
}

func (c *countingSink) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	c.mu.Lock()
	c.calls++
	c.sizes = append(c.sizes, len(acts))
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
	// Batches shrink when the machine is slow (nextBatchSize), so the
	// counts are checked against the sizes the calls really had.
	applied := 0
	for _, n := range sink.sizes {
		applied += n
	}
	if got := res.Counts[string(ActCreate)]; got != sink.sizes[0] {
		t.Fatalf("counted %d created, want the first batch only (%d)", got, sink.sizes[0])
	}
	if n := len(w.crm.Activities()); n != applied {
		t.Fatalf("CRM holds %d activities after %d calls of %v", n, sink.calls, sink.sizes)
	}
	// The next run links the unlinked activities by key and creates the rest.
	w.job.CRM = w.crm
	p2, res2 := w.run()
	if k := kinds(p2); k[ActCreate] != 5*batchSize-applied || k[ActLink] != applied-sink.sizes[0] {
		t.Fatalf("second plan %v, want links for the applied batches %v and creates for the rest", k, sink.sizes)
	}
	if res2.Status != "ok" || len(w.crm.Activities()) != 5*batchSize {
		t.Fatalf("second run %s, CRM holds %d activities, want %d", res2.Status, len(w.crm.Activities()), 5*batchSize)
	}
}
