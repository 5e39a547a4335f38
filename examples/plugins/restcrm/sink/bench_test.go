package restcrm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	restcrm "github.com/gwsync/gwsync/examples/plugins/restcrm/sink"
	"github.com/gwsync/gwsync/plugins"
)

const benchBatch = 500 // the engine's largest Upsert batch

// openBench starts a reference CRM and the sink in a plugin process (this
// test binary, re-executed), as gwsync runs it.
func openBench(b *testing.B) adapters.Sink {
	b.Helper()
	cfg := adapters.Config{Name: "bench", Options: options(crm(b, nil))}
	sink, err := plugins.OpenSink(context.Background(), conformance.SubprocessLaunch(restcrm.Name, cfg))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sink.Close() })
	return sink
}

// BenchmarkUpsert: batches of 500 new activities through the plugin
// transport and POST /activities/batch into the reference CRM.
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

// BenchmarkList: listing 5,000 activities of one owner (10 pages).
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
