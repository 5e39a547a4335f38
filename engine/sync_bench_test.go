package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// mailSource generates n new e-mails of about 7 KB each, like a first
// import of a big Import Folder.
type mailSource struct{ n int }

var mailBody = strings.Repeat("Dear Sam, thank you for the offer. ", 200) // 7,000 bytes

func (m mailSource) Info(context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "mail", Kinds: []adapters.Kind{adapters.KindMessage}}, nil
}

func (m mailSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	for i := 0; i < m.n; i++ {
		d := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("INBOX/%d", i+1)
		if err := emit(adapters.Item{ID: id, Key: fmt.Sprintf("mid:%d@example.com", i), Version: "1",
			Kind: adapters.KindMessage, Raster: adapters.Raster{Start: d}, Date: d, Subject: fmt.Sprintf("Offer %d", i),
			From: "customer@example.com", To: []string{"sam@example.com"},
			// Its own copy, as a parser makes: a shared string would hide what is held.
			Body: fmt.Sprintf("%s\n-- %d", mailBody, i)}); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	return adapters.SnapshotEnd{Count: int64(m.n), Complete: true}, nil
}

func (mailSource) Close() error { return nil }

// discardCRM accepts every create and keeps nothing, so the benchmark
// measures what the engine holds, not a CRM in memory.
type discardCRM struct{ next atomic.Int64 }

func (*discardCRM) Info(context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "discard"}, nil
}
func (*discardCRM) ListActivities(context.Context, adapters.ActivityQuery, func(adapters.Activity) error) (adapters.ListEnd, error) {
	return adapters.ListEnd{}, nil
}
func (c *discardCRM) Upsert(_ context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	out := make([]adapters.UpsertResult, len(acts))
	for i, a := range acts {
		id := fmt.Sprint(c.next.Add(1))
		out[i] = adapters.UpsertResult{Key: a.Key, Created: true, Activity: adapters.Activity{
			ID: id, Version: "1", Key: a.Key, Type: a.Type, Raster: a.Raster, Subject: a.Subject}}
	}
	return out, nil
}
func (*discardCRM) UpdateTimes(context.Context, []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	return nil, adapters.ErrUnsupported
}
func (*discardCRM) Close() error { return nil }

// BenchmarkSyncFirstImport200kMails is a first import of 200,000 e-mails
// (7 KB bodies) through Sync into a CRM that keeps nothing, on a real
// SQLite state. It reports the peak heap sampled every 10 ms: what a
// first import of a big folder costs in memory (issue target: ≤ 400 MiB
// of RSS for the whole binary). Run with -benchtime 1x.
func BenchmarkSyncFirstImport200kMails(b *testing.B) { benchFirstImport(b, 200_000) }

// BenchmarkSyncFirstImport50kMails is the same import at a quarter of the
// size: the two peaks show how much of it grows with the folder.
func BenchmarkSyncFirstImport50kMails(b *testing.B) { benchFirstImport(b, 50_000) }

func benchFirstImport(b *testing.B, n int) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := sqlite.Open(context.Background(), b.TempDir()+"/state.db")
		if err != nil {
			b.Fatal(err)
		}
		job := &Job{User: "sam", Sources: []NamedSource{{Name: "mail", Source: mailSource{n: n}}},
			CRM: &discardCRM{}, Policy: NewestWins,
			Window: adapters.Window{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}
		runtime.GC()
		peak := samplePeakHeap()
		b.StartTimer()
		_, res, err := Sync(context.Background(), st, job)
		b.StopTimer()
		mib := peak()
		if err != nil {
			b.Fatal(err)
		}
		if res.Counts["create"] != n {
			b.Fatalf("created %d, want %d (%v)", res.Counts["create"], n, res.Counts)
		}
		st.Close()
		b.ReportMetric(mib, "peak-heap-MiB")
	}
}

// samplePeakHeap samples HeapInuse every 10 ms until the returned function
// is called, which returns the peak in MiB.
func samplePeakHeap() func() float64 {
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(peak.Load()) / (1 << 20)
	}
}
