package caldav

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/caldavtest"
	"github.com/gwsync/gwsync/adapters/icalendar"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

var stamp = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// fakeServer serves a fresh in-memory CalDAV server holding items, events
// in "work" and tasks in "todo".
func fakeServer(t *testing.T, items []adapters.Item) (*caldavtest.Backend, string) {
	t.Helper()
	b := caldavtest.NewBackend()
	work := b.AddCalendar("work", "Work", "VEVENT")
	todo := b.AddCalendar("todo", "Tasks", "VTODO")
	for i, it := range items {
		dir := work
		switch it.Kind {
		case adapters.KindTask:
			dir = todo
		case adapters.KindEvent:
		default:
			continue
		}
		if _, err := b.Put(dir+objectName(it, i), icalendar.RenderItem(it, stamp)); err != nil {
			t.Fatalf("seed %s: %v", it.Key, err)
		}
	}
	srv := b.Serve()
	t.Cleanup(srv.Close)
	return b, srv.URL
}

func objectName(it adapters.Item, i int) string {
	return safeName(it.ID) + ".ics"
}

func opts(t *testing.T, m map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConformanceInProcess(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "caldav", Kinds: []adapters.Kind{adapters.KindEvent, adapters.KindTask},
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			_, u := fakeServer(t, fx.Items)
			return opts(t, map[string]any{"url": u})
		}})
}

// countingTransport counts the requests a source makes.
type countingTransport struct {
	n  atomic.Int64
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

// newSource builds a source with a counting transport.
func newSource(t *testing.T, o json.RawMessage) (*Source, *countingTransport) {
	t.Helper()
	s, err := New(adapters.Config{Name: "t", Options: o, TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	ct := &countingTransport{rt: http.DefaultTransport}
	s.transport = ct
	t.Cleanup(func() { s.Close() })
	return s, ct
}

func collect(t *testing.T, s *Source, req adapters.SnapshotRequest) ([]adapters.Item, adapters.SnapshotEnd) {
	t.Helper()
	var items []adapters.Item
	end, err := s.Snapshot(t.Context(), req, func(it adapters.Item) error { items = append(items, it); return nil })
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return items, end
}

func byKey(items []adapters.Item, key string) (adapters.Item, bool) {
	for _, it := range items {
		if it.Key == key {
			return it, true
		}
	}
	return adapters.Item{}, false
}
