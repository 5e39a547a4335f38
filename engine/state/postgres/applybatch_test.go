package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// ApplyBatch numbers results in SQL: batches of several runs, and batches
// that race into one run from many connections, still number each run's
// results 1, 2, 3, … with none lost and none twice.
func TestApplyBatchNumbersResultsPerRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openTest(t)
	a, err := s.BeginRun(ctx, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.BeginRun(ctx, "bob", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordItems(ctx, []state.ItemResult{{RunID: a, ActionID: "a0"}}); err != nil {
		t.Fatal(err)
	}
	// Mixed runs in one batch: each continues its own numbering.
	if err := s.ApplyBatch(ctx, nil, []state.ItemResult{{RunID: b, ActionID: "b1"}, {RunID: a, ActionID: "a1"}, {RunID: b, ActionID: "b2"}}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := s.ApplyBatch(ctx, nil, []state.ItemResult{{RunID: a, ActionID: fmt.Sprintf("w%d-%d-x", w, i)}, {RunID: a, ActionID: fmt.Sprintf("w%d-%d-y", w, i)}}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check := func(run int64, want int) map[string]int64 {
		t.Helper()
		rows, err := s.Pool().Query(ctx, `SELECT seq, action_id FROM run_items WHERE run_id = $1 ORDER BY seq`, run)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seqOf := map[string]int64{}
		var n int64
		for rows.Next() {
			var seq int64
			var action string
			if err := rows.Scan(&seq, &action); err != nil {
				t.Fatal(err)
			}
			if n++; seq != n {
				t.Fatalf("run %d: result %q has seq %d, want %d", run, action, seq, n)
			}
			seqOf[action] = seq
		}
		if int(n) != want {
			t.Fatalf("run %d holds %d results, want %d", run, n, want)
		}
		return seqOf
	}
	if seq := check(b, 2); seq["b1"] != 1 || seq["b2"] != 2 {
		t.Errorf("run b: %v", seq)
	}
	seq := check(a, 2+writers*each*2)
	if seq["a0"] != 1 || seq["a1"] != 2 {
		t.Errorf("run a: a0 %d, a1 %d", seq["a0"], seq["a1"])
	}
	for w := range writers {
		for i := range each {
			x, y := seq[fmt.Sprintf("w%d-%d-x", w, i)], seq[fmt.Sprintf("w%d-%d-y", w, i)]
			if y != x+1 {
				t.Errorf("batch w%d-%d numbered %d and %d: not one after the other", w, i, x, y)
			}
		}
	}
}
