package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

const (
	benchLinks = 1_000_000
	benchBatch = 10_000
)

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

// loadLinks writes benchLinks links in batches of benchBatch.
func loadLinks(b *testing.B, s *Store) {
	ctx := context.Background()
	batch := make([]state.Link, benchBatch)
	for off := 0; off < benchLinks; off += benchBatch {
		for i := range batch {
			batch[i] = benchLink(off + i)
		}
		if err := s.PutLinks(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutLinks: one op loads 1,000,000 links into a fresh database in
// 100 transactions of 10,000.
func BenchmarkPutLinks(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := openTest(b)
		b.StartTimer()
		loadLinks(b, s)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/benchLinks, "ns/link")
	b.ReportMetric(perOp/1e9, "s/1M-links")
}

// BenchmarkLinks: one op walks 1,000,000 links of one user.
func BenchmarkLinks(b *testing.B) {
	s := openTest(b)
	start := time.Now()
	loadLinks(b, s)
	b.Logf("loaded %d links in %.1fs", benchLinks, time.Since(start).Seconds())
	ctx := context.Background()
	for b.Loop() {
		n := 0
		if err := s.Links(ctx, "bench", func(state.Link) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchLinks {
			b.Fatalf("walked %d links, want %d", n, benchLinks)
		}
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/benchLinks, "ns/link")
	b.ReportMetric(perOp/1e9, "s/1M-links")
}

// BenchmarkRecordItems: one op journals 10,000 results (an import of
// 10,000 mails) in calls of 500, as the executor does.
func BenchmarkRecordItems(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := openTest(b)
		run, err := s.BeginRun(ctx, "u", false)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for first := 0; first < 10_000; first += 500 {
			batch := make([]state.ItemResult, 500)
			for i := range batch {
				batch[i] = state.ItemResult{RunID: run, ActionID: fmt.Sprintf("a%05d", first+i), Source: "mail",
					ItemID: fmt.Sprintf("Import Folder/1/%d", first+i), Kind: "create", Outcome: "ok"}
			}
			if err := s.RecordItems(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
