package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// The planner benchmark generates both sides and the links on the fly, as a
// plugin stream would deliver them, so what it measures is the planner's
// own time and memory, not a fixture held in RAM.

type genSource struct{ n, changedEvery int }

func genRaster(i int) adapters.Raster {
	s := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i%5000) * time.Hour)
	return adapters.Raster{Start: s, End: s.Add(time.Hour)}
}

func (g genSource) Info(context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "gen", Capabilities: adapters.Capabilities{WriteTimes: true}}, nil
}

func (g genSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	for i := 0; i < g.n; i++ {
		r := genRaster(i)
		if g.changedEvery > 0 && i%g.changedEvery == 0 {
			r.Start, r.End = r.Start.Add(30*time.Minute), r.End.Add(30*time.Minute)
		}
		id := fmt.Sprintf("cal/%08d.ics", i)
		if err := emit(adapters.Item{ID: id, Key: "ical:" + id, Version: "v1", Kind: adapters.KindEvent,
			Raster: r, Subject: "Customer visit", From: "alice@example.com"}); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	return adapters.SnapshotEnd{Count: int64(g.n), Complete: true}, nil
}

func (g genSource) Close() error { return nil }

type genCRM struct{ genSource }

func (g genCRM) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	for i := 0; i < g.n; i++ {
		id := fmt.Sprintf("cal/%08d.ics", i)
		if err := emit(adapters.Activity{ID: fmt.Sprint(i + 1), Version: "1", Type: adapters.TypeAppointment,
			Raster: genRaster(i), Subject: "Customer visit", Key: "ical:" + id, Owners: []string{"alice"}}); err != nil {
			return adapters.ListEnd{}, err
		}
	}
	return adapters.ListEnd{Count: int64(g.n)}, nil
}
func (genCRM) Upsert(context.Context, []adapters.Activity) ([]adapters.UpsertResult, error) {
	return nil, adapters.ErrUnsupported
}
func (genCRM) UpdateTimes(context.Context, []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	return nil, adapters.ErrUnsupported
}

// genState serves generated links; only Links is used by planning.
type genState struct {
	state.Store
	n int
}

func (g genState) Links(ctx context.Context, user string, fn func(state.Link) error) error {
	for i := 0; i < g.n; i++ {
		id := fmt.Sprintf("cal/%08d.ics", i)
		if err := fn(state.Link{User: user, Source: "cal", ItemID: id, Key: "ical:" + id, Kind: adapters.KindEvent,
			ActivityID: fmt.Sprint(i + 1), Base: genRaster(i), ItemVersion: "v1", ActivityVersion: "1"}); err != nil {
			return err
		}
	}
	return nil
}

func (g genState) Cursor(context.Context, string, string) (string, error) { return "", nil }

// BenchmarkBuildPlan1M plans 1,000,000 links of which 1% changed at the
// source. It reports the peak heap seen while planning (sampled every 10 ms)
// next to the usual figures. Target: ≤ 2 s/op, ≤ 1 GiB peak.
func BenchmarkBuildPlan1M(b *testing.B) {
	const n = 1_000_000
	job := &Job{User: "alice", Sources: []NamedSource{{Name: "cal", Source: genSource{n: n, changedEvery: 100}}},
		CRM: genCRM{genSource{n: n}}, Policy: NewestWins,
		Window: adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}
	peak := samplePeakHeap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := planJob(context.Background(), genState{n: n}, job)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(p.Actions); got != n/100 {
			b.Fatalf("%d actions, want %d", got, n/100)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak(), "peak-heap-MiB")
}

func (g genState) CountLinks(context.Context, string) (int, error) { return g.n, nil }

// BenchmarkInputs1M runs only the generators behind BenchmarkBuildPlan1M
// into callbacks that keep nothing: subtract it to get the planner's own
// cost.
func BenchmarkInputs1M(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		genState{n: n}.Links(ctx, "alice", func(state.Link) error { return nil })
		genCRM{genSource{n: n}}.ListActivities(ctx, adapters.ActivityQuery{}, func(adapters.Activity) error { return nil })
		genSource{n: n, changedEvery: 100}.Snapshot(ctx, adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
	}
}
