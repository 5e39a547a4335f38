package engine

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// BenchmarkBuildPlan1MOneNewItem is BenchmarkBuildPlan1M with one item
// more at the source than links: the plan must look its key up among the
// million links (duplicates.go builds that index on first use).
func BenchmarkBuildPlan1MOneNewItem(b *testing.B) {
	const n = 1_000_000
	job := &Job{User: "alice", Sources: []NamedSource{{Name: "cal", Source: genSource{n: n + 1, changedEvery: 100}}},
		CRM: genCRM{genSource{n: n}}, Policy: NewestWins,
		Window: adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, err := planJob(context.Background(), genState{n: n}, job)
		if err != nil {
			b.Fatal(err)
		}
		if got := kinds(p)[ActCreate]; got != 1 {
			b.Fatalf("%d creates, want 1", got)
		}
	}
}

// BenchmarkBuildPlanFirstImport100k plans a first import of 100,000 new
// items: every key is claimed (duplicates.go), none is taken.
func BenchmarkBuildPlanFirstImport100k(b *testing.B) {
	const n = 100_000
	job := &Job{User: "alice", Sources: []NamedSource{{Name: "cal", Source: genSource{n: n}}},
		CRM: genCRM{genSource{n: 0}}, Policy: NewestWins,
		Window: adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, err := planJob(context.Background(), genState{n: 0}, job)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(p.Actions); got != n {
			b.Fatalf("%d actions, want %d", got, n)
		}
	}
}
