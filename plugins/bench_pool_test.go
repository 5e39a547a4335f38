package plugins_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// benchUsers is how many users one iteration of BenchmarkUsers syncs.
const benchUsers = 200

// BenchmarkUsers is a worker's cycle reduced to its plugin costs: for each
// of 200 users, open a source (20 items of its own) and a CRM sink, list
// the source, and close both; "per-run" starts two processes per user as
// the CLI does, "pool" takes instances from a plugins.Pool. It reports the
// time per user and the processes started per cycle.
//
//	go test ./plugins -run '^$' -bench Users -benchtime 3x
func BenchmarkUsers(b *testing.B) {
	b.Run("per-run", func(b *testing.B) {
		benchUsersWith(b, func() benchOpener {
			return benchOpener{plugins.OpenSource, plugins.OpenSink, func() int64 { return 2 * benchUsers }, func() {}}
		})
	})
	b.Run("pool", func(b *testing.B) {
		benchUsersWith(b, func() benchOpener {
			p := plugins.NewPool(plugins.PoolOptions{})
			return benchOpener{p.OpenSource, p.OpenSink, func() int64 { return p.Stats().Started }, func() { _ = p.Close() }}
		})
	})
}

// benchOpener opens adapters one way, says how many processes it started,
// and closes what it keeps.
type benchOpener struct {
	source  func(context.Context, plugins.Launch) (adapters.Source, error)
	sink    func(context.Context, plugins.Launch) (adapters.Sink, error)
	started func() int64
	close   func()
}

func benchUsersWith(b *testing.B, newOpener func() benchOpener) {
	ctx := context.Background()
	var started int64
	var elapsed time.Duration
	for b.Loop() {
		op := newOpener()
		t0 := time.Now()
		for u := range benchUsers {
			src, err := op.source(ctx, conformance.SubprocessLaunch("plugintest-bench", adapters.Config{Name: fmt.Sprintf("u%d", u), Options: []byte(`{"items":20}`)}))
			if err != nil {
				b.Fatal(err)
			}
			sink, err := op.sink(ctx, conformance.SubprocessLaunch("memory", adapters.Config{Name: "crm", Options: fmt.Appendf(nil, `{"store":"bench-crm-%d"}`, u)}))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			if _, err := src.Snapshot(ctx, adapters.SnapshotRequest{}, func(adapters.Item) error { n++; return nil }); err != nil || n != 20 {
				b.Fatalf("snapshot: %d items, %v", n, err)
			}
			if _, err := sink.ListActivities(ctx, adapters.ActivityQuery{Owner: "u"}, func(adapters.Activity) error { return nil }); err != nil {
				b.Fatal(err)
			}
			_ = src.Close()
			_ = sink.Close()
		}
		elapsed += time.Since(t0)
		started += op.started()
		op.close()
	}
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N*benchUsers), "ms/user")
	b.ReportMetric(float64(started)/float64(b.N), "processes/cycle")
}
