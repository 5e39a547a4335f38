package plugins_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// benchItems is the size of the issue's target: "a 100,000-item snapshot
// through the out-of-process plugin against in process: ratio at most 1.3".
const benchItems = 100_000

// BenchmarkSnapshot lists benchItems realistic items from a memory store,
// in process and through a plugin child, doing what the engine does with
// each item (keeping a copy in a slice). "paired" alternates in-process and
// subprocess snapshots and reports the median ratio subprocess/inprocess.
// The "grpc" case (the protocol without the process boundary and TLS)
// helps to tell where the time goes.
//
//	go test ./plugins -run '^$' -bench Snapshot -benchtime 10x
func BenchmarkSnapshot(b *testing.B) {
	opts, _ := json.Marshal(map[string]int{"items": benchItems})
	cfg := adapters.Config{Name: "bench", Options: opts}
	inProcess, err := adapters.NewSource("plugintest-bench", cfg)
	if err != nil {
		b.Fatal(err)
	}
	client := plugins.MustServeInMemory(b)
	inMemory, err := plugins.DialSource(context.Background(), client, "plugintest-bench", cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer inMemory.Close()
	child, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("plugintest-bench", cfg))
	if err != nil {
		b.Fatal(err)
	}
	defer child.Close()

	for _, c := range []struct {
		name string
		src  adapters.Source
	}{{"inprocess", inProcess}, {"grpc", inMemory}, {"subprocess", child}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				snapshotLikeTheEngine(b, c.src)
			}
		})
	}

	// The machine may be shared: alternating the two sides exposes both
	// to the same load, and the median of the per-pair ratios is the
	// figure to compare with the target.
	b.Run("paired", func(b *testing.B) {
		var ratios []float64
		var in, sub time.Duration
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			snapshotLikeTheEngine(b, inProcess)
			t1 := time.Now()
			snapshotLikeTheEngine(b, child)
			t2 := time.Now()
			in, sub = in+t1.Sub(t0), sub+t2.Sub(t1)
			ratios = append(ratios, float64(t2.Sub(t1))/float64(t1.Sub(t0)))
		}
		sort.Float64s(ratios)
		b.ReportMetric(float64(in.Nanoseconds())/float64(b.N), "inprocess-ns/op")
		b.ReportMetric(float64(sub.Nanoseconds())/float64(b.N), "subprocess-ns/op")
		b.ReportMetric(ratios[len(ratios)/2], "median-ratio")
		b.ReportMetric(0, "ns/op")
	})
}

// snapshotLikeTheEngine keeps every item, as the engine's planner does.
func snapshotLikeTheEngine(b *testing.B, src adapters.Source) {
	var kept []adapters.Item
	end, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(it adapters.Item) error {
		kept = append(kept, it)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if end.Count != benchItems || len(kept) != benchItems {
		b.Fatalf("snapshot of %d items, kept %d, want %d", end.Count, len(kept), benchItems)
	}
}
