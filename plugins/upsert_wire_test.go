package plugins_test

import (
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// Upsert results cross the wire without the bodies the host just sent
// (half an import's traffic), and with everything the engine reads of
// them: id, version, times, created.
func TestUpsertResultsComeBackWithoutBodies(t *testing.T) {
	client := plugins.MustServeInMemory(t)
	sink, err := plugins.DialSink(ctxFor(t), client, "memory", adapters.Config{Name: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	in := adapters.Activity{Type: adapters.TypeMailIn, Key: "mid:1@x", Subject: "Quote", Body: "a long mail body",
		Owners: []string{"alice"}, Raster: adapters.Raster{Start: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}}
	res, err := sink.Upsert(ctxFor(t), []adapters.Activity{in})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("Upsert: %v %+v", err, res)
	}
	got := res[0].Activity
	if got.Body != "" {
		t.Errorf("the body came back over the wire: %q", got.Body)
	}
	if !res[0].Created || got.ID == "" || got.Version == "" || got.Subject != "Quote" || !got.Raster.Equal(in.Raster) {
		t.Errorf("result lost what the engine reads: %+v", res[0])
	}
}
