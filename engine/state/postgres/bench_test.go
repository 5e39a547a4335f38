package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// The same figures as engine/state/sqlite's benchmarks (BenchmarkLinks,
// BenchmarkApplyBatch), so the two stores compare side by side:
//
//	go test -run '^$' -bench . ./engine/state/postgres/ ./engine/state/sqlite/

const benchLinks = 100_000

// benchLink is a realistic link: a timed event with versions and a zone.
func benchLink(i int) state.Link {
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	return state.Link{
		User: "bench", Source: "calendar", ItemID: fmt.Sprintf("item-%08d.ics", i), Key: fmt.Sprintf("ical:uid-%08d", i),
		Kind: adapters.KindEvent, ActivityID: fmt.Sprintf("ACT%08d", i),
		Base:        adapters.Raster{Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Berlin"},
		ItemVersion: fmt.Sprintf(`"etag-%d"`, i), ActivityVersion: "1",
		UpdatedAt: start,
	}
}

// BenchmarkLinks: one op walks the 100,000 links of one user.
func BenchmarkLinks(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	batch := make([]state.Link, 0, 10_000)
	for i := range benchLinks {
		batch = append(batch, benchLink(i))
		if len(batch) == cap(batch) {
			if err := s.PutLinks(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for b.Loop() {
		n := 0
		if err := s.Links(ctx, "bench", func(state.Link) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchLinks {
			b.Fatalf("walked %d links, want %d", n, benchLinks)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchLinks, "ns/link")
}

// BenchmarkApplyBatch: one op is one executed batch as the executor
// writes it: 500 new links and their 500 journal results in one
// transaction.
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
