package plugins_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// BenchmarkSnapshotFiles is the ratio on a source that does real
// work: 100,000 items (half events as .ics files, half e-mails as .eml
// files) read by the files adapter, in process and through a plugin child.
// Per item the callback does what the planner does with an unchanged item:
// look at its id and times, keep nothing. It reports the median ratio of
// alternating pairs (the machine may be shared).
//
//	go test ./plugins -run '^$' -bench SnapshotFiles -benchtime 5x
func BenchmarkSnapshotFiles(b *testing.B) {
	dir := b.TempDir()
	var items []adapters.Item
	base := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	for i := 0; i < benchItems/2; i++ {
		st := base.Add(time.Duration(i) * time.Hour)
		items = append(items,
			adapters.Item{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:bench-%d@example.com", i),
				Subject: fmt.Sprintf("Customer visit %d", i), Body: strings.Repeat("Agenda: pricing, renewal. ", 8),
				Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)}},
			adapters.Item{Kind: adapters.KindMessage, Key: fmt.Sprintf("mid:bench-%d@example.org", i),
				Subject: fmt.Sprintf("Order %d", i), From: "buyer@example.org", To: []string{"sam@example.com"},
				Date: st, Body: strings.Repeat("Please send the quote for the enterprise plan. ", 10)})
	}
	opts, err := files.WriteFixture(dir, items)
	if err != nil {
		b.Fatal(err)
	}
	cfg := adapters.Config{Name: "bench-files", Options: opts, TimeZone: "UTC"}
	inProcess, err := adapters.NewSource("files", cfg)
	if err != nil {
		b.Fatal(err)
	}
	child, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("files", cfg))
	if err != nil {
		b.Fatal(err)
	}
	defer child.Close()
	snap := func(src adapters.Source) {
		var n int
		var latest time.Time
		end, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(it adapters.Item) error {
			if it.ID != "" && it.Raster.Start.After(latest) {
				latest = it.Raster.Start
			}
			n++
			return nil
		})
		if err != nil || end.Count != benchItems || n != benchItems {
			b.Fatalf("snapshot: %v, %d/%d items", err, n, end.Count)
		}
	}
	snap(inProcess) // warm the page cache for both sides
	b.ResetTimer()
	var ratios []float64
	var in, sub time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		snap(inProcess)
		t1 := time.Now()
		snap(child)
		t2 := time.Now()
		in, sub = in+t1.Sub(t0), sub+t2.Sub(t1)
		ratios = append(ratios, float64(t2.Sub(t1))/float64(t1.Sub(t0)))
	}
	sort.Float64s(ratios)
	b.ReportMetric(float64(in.Nanoseconds())/float64(b.N), "inprocess-ns/op")
	b.ReportMetric(float64(sub.Nanoseconds())/float64(b.N), "subprocess-ns/op")
	b.ReportMetric(ratios[len(ratios)/2], "median-ratio")
	b.ReportMetric(0, "ns/op")
}
