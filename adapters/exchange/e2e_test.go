package exchange_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/engine"
)

var e2eData = filepath.Join("..", "..", "testdata", "exchange", "e2e")

func openSource(t *testing.T, opts json.RawMessage) adapters.Source {
	t.Helper()
	plugin := "exchange"
	var probe map[string]any
	_ = json.Unmarshal(opts, &probe)
	if probe["api"] == nil {
		plugin = "files"
	}
	src, err := adapters.NewSource(plugin, adapters.Config{Name: "e2e", Options: opts, TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatalf("open %s: %v", plugin, err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func collect(t *testing.T, src adapters.Source, req adapters.SnapshotRequest) map[string]adapters.Item {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := map[string]adapters.Item{}
	if _, err := src.Snapshot(ctx, req, func(it adapters.Item) error {
		if it.Unreadable != "" {
			t.Errorf("%s unreadable: %s", it.ID, it.Unreadable)
		}
		out[it.Key] = it
		return nil
	}); err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return out
}

// sameImport fails unless both sources yield the same keys, and per key
// the same activity type (engine.Classify), raster, busy status and
// message date: what the engine makes of an item.
func sameImport(t *testing.T, name string, want, got map[string]adapters.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d items, the files source has %d", name, len(got), len(want))
	}
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			t.Errorf("%s: key %s missing", name, key)
			continue
		}
		if wt, gt := engine.Classify(w), engine.Classify(g); wt != gt {
			t.Errorf("%s: %s imports as %s, via files as %s", name, key, gt, wt)
		}
		if !g.Raster.Equal(w.Raster) {
			t.Errorf("%s: %s raster %v, via files %v", name, key, g.Raster, w.Raster)
		}
		if g.Busy != w.Busy {
			t.Errorf("%s: %s busy %q, via files %q", name, key, g.Busy, w.Busy)
		}
		if !g.Date.Equal(w.Date) || g.Subject != w.Subject {
			t.Errorf("%s: %s date/subject %v %q, via files %v %q", name, key, g.Date, g.Subject, w.Date, w.Subject)
		}
	}
}

// TestSameAsFiles: the standard fixture written as .ics/.eml files and the
// same data in each Exchange fake import identically.
func TestSameAsFiles(t *testing.T) {
	items := conformance.StandardFixture().Items
	fileOpts, err := files.WriteFixture(t.TempDir(), items)
	if err != nil {
		t.Fatal(err)
	}
	want := collect(t, openSource(t, fileOpts), adapters.SnapshotRequest{})

	g := graphfake.New(t)
	g.SeedItems("Import Folder", items)
	sameImport(t, "graph", want, collect(t, openSource(t, g.OptionsJSON()), adapters.SnapshotRequest{}))

	e := ewsfake.New(t)
	e.SeedItems("Import Folder", items)
	sameImport(t, "ews", want, collect(t, openSource(t, e.OptionsJSON()), adapters.SnapshotRequest{}))
}

// TestCalDAVStyleICSMatchesGraph: a meeting in a Windows-named zone and an
// all-day free event, as a CalDAV client writes them (.ics) and as Graph
// returns them, become the same activities with the same times.
func TestCalDAVStyleICSMatchesGraph(t *testing.T) {
	dir := t.TempDir()
	ics, err := os.ReadFile(filepath.Join(e2eData, "meeting.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "meeting.ics"), ics, 0o644); err != nil {
		t.Fatal(err)
	}
	events := adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindEvent}}
	want := collect(t, openSource(t, json.RawMessage(`{"calendar_dir":`+quote(dir)+`}`)), events)

	fake := graphfake.New(t)
	fake.AddFolder("Import Folder")
	if _, err := fake.AddSamples(adapters.KindEvent, "", filepath.Join(e2eData, "meeting-graph.json")); err != nil {
		t.Fatal(err)
	}
	got := collect(t, openSource(t, fake.OptionsJSON()), events)
	sameImport(t, "graph", want, got)
	meeting := got["ical:040000008200E00074C5B7101A82E00800000000E2E1"]
	if engine.Classify(meeting) != adapters.TypeMeeting || meeting.Raster.TimeZone != "Europe/Berlin" {
		t.Errorf("meeting: %s in zone %q, want MEETING in Europe/Berlin", engine.Classify(meeting), meeting.Raster.TimeZone)
	}
	if len(want) != 2 {
		t.Errorf("files source read %d events from meeting.ics, want 2", len(want))
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
