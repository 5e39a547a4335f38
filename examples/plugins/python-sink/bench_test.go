//go:build unix

package pythonsink

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// benchBatch is the engine's largest Upsert batch.
const benchBatch = 500

func openBench(b *testing.B) adapters.Sink {
	b.Helper()
	py := python(b)
	opts, _ := json.Marshal(map[string]string{"database_file": filepath.Join(b.TempDir(), "crm.db")})
	sink, err := plugins.OpenSink(context.Background(), plugins.Launch{
		Adapter: "pycrm",
		Config:  adapters.Config{Name: "bench", Options: opts},
		Cmd:     exec.Command(py, pluginPath(b)),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sink.Close() })
	return sink
}

func mails(from, n int) []adapters.Activity {
	acts := make([]adapters.Activity, n)
	for i := range acts {
		acts[i] = adapters.Activity{
			Type: adapters.TypeMailIn, Subject: fmt.Sprintf("Message %d", from+i), Body: "Hello,\n\nsee the figures attached.\n",
			Raster: adapters.Raster{Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(from+i) * time.Minute)},
			Owners: []string{"alice"}, Contacts: []string{"bob@example.com"},
			Key: fmt.Sprintf("mid:bench-%d@example.com", from+i), Source: "mail", SourceItem: fmt.Sprintf("INBOX/%d", from+i),
		}
	}
	return acts
}

// BenchmarkUpsert: batches of 500 new activities through the Python
// plugin over the real plugin transport into its SQLite file.
func BenchmarkUpsert(b *testing.B) {
	sink := openBench(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := sink.Upsert(ctx, mails(i*benchBatch, benchBatch))
		if err != nil || len(res) != benchBatch || res[0].Err != nil {
			b.Fatalf("Upsert: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "activities/s")
}

// BenchmarkList: listing 5,000 activities of one owner.
func BenchmarkList(b *testing.B) {
	const n = 5000
	sink := openBench(b)
	ctx := context.Background()
	for from := 0; from < n; from += benchBatch {
		if _, err := sink.Upsert(ctx, mails(from, benchBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		end, err := sink.ListActivities(ctx, adapters.ActivityQuery{Owner: "alice"}, func(adapters.Activity) error { return nil })
		if err != nil || end.Count != n {
			b.Fatalf("listed %d, %v", end.Count, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "activities/s")
}

// BenchmarkStartStop: starting the Python plugin (handshake, Configure,
// Info) and closing it, as gwsync does once per run and sink.
func BenchmarkStartStop(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink := openBench(b)
		if _, err := sink.Info(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
