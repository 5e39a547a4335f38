package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// BenchmarkApplyBatch: one op is one executed batch as the executor
// writes it: 500 new links and their 500 journal results in one
// transaction (engine/state/postgres has the same benchmark).
func BenchmarkApplyBatch(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	next := 0
	for b.Loop() {
		links := make([]state.Link, 500)
		results := make([]state.ItemResult, 500)
		for i := range links {
			links[i] = benchLink(next)
			results[i] = state.ItemResult{RunID: run, ActionID: fmt.Sprintf("a%d", next), Source: "calendar",
				ItemID: links[i].ItemID, Kind: "create", Outcome: "ok"}
			next++
		}
		if err := s.ApplyBatch(ctx, links, results); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500, "ns/link")
}
