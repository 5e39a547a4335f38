package conformance

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
)

// callTimeout bounds every call the suite makes, so a hung adapter fails
// its test instead of the whole test binary.
const callTimeout = 30 * time.Second

func callCtx(t T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

// unknownOptionKey is a key no adapter has; adding it to valid options
// must make the adapter fail with CodeInvalidConfig.
const unknownOptionKey = "conformance_no_such_option"

// withUnknownOption returns opts with unknownOptionKey added. Options must
// be a JSON object (an adapter's YAML options mapping) or empty.
func withUnknownOption(t T, opts json.RawMessage) json.RawMessage {
	t.Helper()
	m := map[string]json.RawMessage{}
	if len(opts) > 0 && string(opts) != "null" {
		if err := json.Unmarshal(opts, &m); err != nil {
			t.Fatalf("Backend returned options that are not a JSON object: %v", err)
		}
	}
	m[unknownOptionKey] = json.RawMessage(`true`)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshot collects a whole snapshot and checks its end: the count equals
// what was emitted, and a listing without a cursor is complete.
func snapshot(t T, src adapters.Source, req adapters.SnapshotRequest) []adapters.Item {
	t.Helper()
	var items []adapters.Item
	end, err := src.Snapshot(callCtx(t), req, func(it adapters.Item) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if end.Count != int64(len(items)) {
		t.Errorf("SnapshotEnd.Count = %d, emitted %d", end.Count, len(items))
	}
	if req.Cursor == "" && !end.Complete {
		t.Errorf("SnapshotEnd.Complete = false for a snapshot without cursor")
	}
	return items
}

// listActivities collects a whole listing and checks its count.
func listActivities(t T, sink adapters.Sink, q adapters.ActivityQuery) []adapters.Activity {
	t.Helper()
	var acts []adapters.Activity
	end, err := sink.ListActivities(callCtx(t), q, func(a adapters.Activity) error {
		acts = append(acts, a)
		return nil
	})
	if err != nil {
		t.Fatalf("ListActivities(%+v): %v", q, err)
	}
	if end.Count != int64(len(acts)) {
		t.Errorf("ListEnd.Count = %d, emitted %d", end.Count, len(acts))
	}
	return acts
}

func itemByKey(items []adapters.Item, key string) (adapters.Item, int) {
	var found adapters.Item
	n := 0
	for _, it := range items {
		if it.Key == key {
			found = it
			n++
		}
	}
	return found, n
}

func itemByID(items []adapters.Item, id string) (adapters.Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return adapters.Item{}, false
}

func activityByID(acts []adapters.Activity, id string) (adapters.Activity, bool) {
	for _, a := range acts {
		if a.ID == id {
			return a, true
		}
	}
	return adapters.Activity{}, false
}

func hasKind(kinds []adapters.Kind, k adapters.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// sameAddresses compares address lists as sets, ignoring case and a
// "mailto:" prefix, which formats add or drop freely.
func sameAddresses(a, b []string) bool {
	norm := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			s = strings.ToLower(strings.TrimSpace(s))
			m[strings.TrimPrefix(s, "mailto:")] = true
		}
		return m
	}
	x, y := norm(a), norm(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

// shifted moves a raster by d, keeping its zone and all-day flag.
func shifted(r adapters.Raster, d time.Duration) adapters.Raster {
	move := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.Add(d)
	}
	return adapters.Raster{Start: move(r.Start), End: move(r.End), Due: move(r.Due), AllDay: r.AllDay, TimeZone: r.TimeZone}
}

// requireCode fails unless err carries code.
func requireCode(t T, what string, err error, code adapters.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	if got := adapters.CodeOf(err); got != code {
		t.Fatalf("%s: code %s (%v), want %s", what, got, err, code)
	}
}

// suiteConfig is the adapter config every check opens its adapter with.
func suiteConfig(opts json.RawMessage) adapters.Config {
	return adapters.Config{Name: "conformance", Options: opts, TimeZone: "Europe/Berlin", Logger: hclog.NewNullLogger()}
}

// closeAtEnd closes an adapter when the test ends; a failing Close fails it.
func closeAtEnd(t T, c interface{ Close() error }) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}
