package caldav

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	webdavcaldav "github.com/emersion/go-webdav/caldav"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/caldavtest"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// A snapshot (discovery, then the calendar queries) and a second one reuse
// one kept-alive connection instead of opening one per request.
func TestSnapshotsReuseOneConnection(t *testing.T) {
	b := caldavtest.NewBackend()
	work := b.AddCalendar("work", "Work", "VEVENT")
	for i := range 3 {
		start := time.Date(2026, 12, 7+i, 9, 0, 0, 0, time.UTC)
		it := adapters.Item{ID: "e" + string(rune('a'+i)), Key: "k", Kind: adapters.KindEvent, Subject: "Visit",
			Raster: adapters.Raster{Start: start, End: start.Add(time.Hour)}}
		it.Key = "uid-" + it.ID
		if _, err := b.Put(work+it.ID+".ics", icalendar.RenderItem(it, stamp)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(&webdavcaldav.Handler{Backend: b})
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	s, _ := newSource(t, opts(t, map[string]any{"url": srv.URL}))
	ctx := context.Background()
	req := adapters.SnapshotRequest{Window: adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)}}
	for range 2 {
		n := 0
		if _, err := s.Snapshot(ctx, req, func(adapters.Item) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("%d items, want 3", n)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Fatalf("two snapshots opened %d connections, want 1", got)
	}
}
