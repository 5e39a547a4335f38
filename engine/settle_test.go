package engine

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// writeCounter counts the store's writes by method; settlements keeps
// what each SettleRun was asked to write.
type writeCounter struct {
	state.Store
	mu          sync.Mutex
	calls       map[string]int
	settlements []state.Settlement
}

func (c *writeCounter) count(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[m]++
}

func (c *writeCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls, c.settlements = map[string]int{}, nil
}

func (c *writeCounter) SetCursor(ctx context.Context, user, source, cursor string) error {
	c.count("SetCursor")
	return c.Store.SetCursor(ctx, user, source, cursor)
}

func (c *writeCounter) BeginRun(ctx context.Context, user string, dry bool) (int64, error) {
	c.count("BeginRun")
	return c.Store.BeginRun(ctx, user, dry)
}

func (c *writeCounter) FinishRun(ctx context.Context, id int64, status string, counts map[string]int, msg string) error {
	c.count("FinishRun")
	return c.Store.FinishRun(ctx, id, status, counts, msg)
}

func (c *writeCounter) RecordIdle(ctx context.Context, user string) (int64, error) {
	c.count("RecordIdle")
	return c.Store.RecordIdle(ctx, user)
}

func (c *writeCounter) RecordItems(ctx context.Context, r []state.ItemResult) error {
	c.count("RecordItems")
	return c.Store.RecordItems(ctx, r)
}

func (c *writeCounter) SettleFailures(ctx context.Context, user string, f []state.Failure, unknown []string) ([]state.Failure, error) {
	c.count("SettleFailures")
	return c.Store.SettleFailures(ctx, user, f, unknown)
}

func (c *writeCounter) PutLinks(ctx context.Context, l []state.Link) error {
	c.count("PutLinks")
	return c.Store.PutLinks(ctx, l)
}

func (c *writeCounter) ApplyBatch(ctx context.Context, l []state.Link, r []state.ItemResult) error {
	c.count("ApplyBatch")
	return c.Store.ApplyBatch(ctx, l, r)
}

func (c *writeCounter) SettleRun(ctx context.Context, s state.Settlement) (state.Settled, error) {
	c.count("SettleRun")
	c.mu.Lock()
	c.settlements = append(c.settlements, s)
	c.mu.Unlock()
	return c.Store.SettleRun(ctx, s)
}

// The end of a run is one store call (SettleRun: cursors, journal entry,
// failures in one transaction, one commit), for an idle check and for a
// run that writes alike; before, each part was its own commit.
func TestARunEndsWithOneStoreWrite(t *testing.T) {
	w, _, _ := changeWorld(t)
	wc := &writeCounter{Store: w.st}
	w.st = wc

	if _, res := w.run(); res.Status != state.StatusIdle {
		t.Fatalf("nothing changed: status %s", res.Status)
	}
	if want := map[string]int{"SettleRun": 1}; !maps.Equal(wc.calls, want) {
		t.Fatalf("an idle check wrote %v, want %v", wc.calls, want)
	}
	s := wc.settlements[0]
	if s.RunID != 0 || !s.Settle || s.Cursors != nil {
		t.Fatalf("idle settlement %+v; want an idle check settling failures, and no cursor: the source's and the CRM's are as stored", s)
	}

	wc.reset()
	w.src.PutItem(event("new", span("2026-03-02T09:00:00Z", 1)))
	w.job.Sources[0].Source.(*incremental).changed["new"] = true
	_, res := w.run()
	if res.Status != state.StatusOK || res.Counts[string(ActCreate)] != 1 {
		t.Fatalf("one new item: %s %v", res.Status, res.Counts)
	}
	if want := map[string]int{"BeginRun": 1, "ApplyBatch": 1, "SettleRun": 1}; !maps.Equal(wc.calls, want) {
		t.Fatalf("a run with one create wrote %v, want %v", wc.calls, want)
	}
	s = wc.settlements[0]
	// The test source's cursor stays "c1", and the CRM's change counter
	// was read before the create: neither is written again.
	if s.RunID != res.RunID || s.Status != state.StatusOK || s.Counts[string(ActCreate)] != 1 || !s.Settle || s.Cursors != nil {
		t.Fatalf("settlement %+v; want run %d closed ok with its counts, and no cursor", s, res.RunID)
	}
	runs, _ := w.st.Runs(context.Background(), "alice", 1)
	if len(runs) != 1 || runs[0].ID != res.RunID || runs[0].Status != state.StatusOK || runs[0].Finished.IsZero() {
		t.Fatalf("journal %+v", runs)
	}
}

// failingSettle fails every SettleRun.
type failingSettle struct{ state.Store }

func (failingSettle) SettleRun(context.Context, state.Settlement) (state.Settled, error) {
	return state.Settled{}, adapters.Errorf(adapters.CodeTemporary, "disk I/O error")
}

// A settlement that fails fails the run, which the journal says, and
// stores no cursor.
func TestAFailedSettlementFailsTheRun(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(event("e1", span("2026-03-02T09:00:00Z", 1)))
	real := w.st
	w.st = failingSettle{real}
	run, err := Start(context.Background(), w.st, w.job)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Apply(context.Background())
	if err == nil || res == nil || res.Status != state.StatusFailed {
		t.Fatalf("apply: %+v, %v; want a failed run", res, err)
	}
	runs, _ := real.Runs(context.Background(), "alice", 1)
	if len(runs) != 1 || runs[0].Status != state.StatusFailed || runs[0].Error == "" || runs[0].Finished.Before(time.Unix(1, 0)) {
		t.Fatalf("journal %+v; want the run failed with its error", runs)
	}
	if c, _ := real.Cursors(context.Background(), "alice"); len(c) != 0 {
		t.Fatalf("cursors stored by a failed settlement: %v", c)
	}
}

// A settlement stores the cursors that differ from those the plan began
// with, and all of them when the plan read none.
func TestSettlementStoresOnlyChangedCursors(t *testing.T) {
	stored := &Plan{storedCursors: map[string]string{"cal": "c1", "mail": "u7", crmCursorName: "n9"}}
	for _, tc := range []struct {
		name string
		plan *Plan
		in   map[string]string
		want map[string]string
	}{
		{"all as stored", stored, map[string]string{"cal": "c1", "mail": "u7", crmCursorName: "n9"}, nil},
		{"one changed", stored, map[string]string{"cal": "c1", "mail": "u8", crmCursorName: "n9"}, map[string]string{"mail": "u8"}},
		{"a new source", stored, map[string]string{"cal": "c1", "tasks": "t1"}, map[string]string{"tasks": "t1"}},
		{"a cursor dropped", stored, map[string]string{"cal": ""}, map[string]string{"cal": ""}},
		{"nothing read", &Plan{}, map[string]string{"cal": "c1"}, map[string]string{"cal": "c1"}},
		{"no plan", nil, map[string]string{"cal": "c1"}, map[string]string{"cal": "c1"}},
	} {
		if got := changedCursors(maps.Clone(tc.in), tc.plan); !maps.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
