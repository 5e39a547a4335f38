package caldav

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
)

var endOfResponse = regexp.MustCompile(`</([A-Za-z0-9]+:)?response>`)

// dropper proxies to the fake server; while armed, it answers every
// multistatus request (REPORT, Depth 1 PROPFIND) with the status line and
// only the first complete <response> of the real body, then drops the
// connection. withLength announces the full length (the client sees an
// unexpected EOF); without it the cut body ends like a whole one would.
func dropper(t *testing.T, target string, withLength bool) (string, *atomic.Bool) {
	t.Helper()
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var armed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		listing := r.Method == "REPORT" || (r.Method == "PROPFIND" && r.Header.Get("Depth") == "1" && r.URL.Path != "/alice/calendars/")
		if !armed.Load() || !listing {
			proxy.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		cut := len(body) / 2
		if loc := endOfResponse.FindIndex(body); loc != nil {
			cut = loc[1]
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d Multi-Status\r\nContent-Type: application/xml\r\n", rec.Code)
		if withLength {
			fmt.Fprintf(buf, "Content-Length: %d\r\n", len(body))
		} else {
			buf.WriteString("Connection: close\r\n")
		}
		buf.WriteString("\r\n")
		_, _ = buf.Write(body[:cut])
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &armed
}

// A connection dropped mid-REPORT loses nothing: the snapshot fails (it
// never ends as a short, "complete" listing, which would read as
// deletions), and the next run imports everything; the same holds for a
// drop in the middle of an incremental listing.
func TestDroppedConnectionMidListingLosesNothing(t *testing.T) {
	fx := conformance.StandardFixture()
	for _, withLength := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%v", withLength), func(t *testing.T) {
			b, target := fakeServer(t, fx.Items)
			u, armed := dropper(t, target, withLength)
			s, _ := newSource(t, opts(t, map[string]any{"url": u, "calendars": []string{"Work"}, "task_lists": []string{}}))
			armed.Store(true)
			_, err := s.Snapshot(t.Context(), adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
			if err == nil {
				t.Fatal("full snapshot over a dropped connection succeeded")
			}
			armed.Store(false)
			items, end := collect(t, s, adapters.SnapshotRequest{})
			if len(items) != 3 || !end.Complete {
				t.Fatalf("next full run: %d items (complete %v), want all 3", len(items), end.Complete)
			}
			// Incremental: one object deleted, the listing dropped.
			dentist, _ := byKey(items, "ical:dentist-2026@gwsync.test")
			b.Delete(dentist.ID)
			armed.Store(true)
			var emitted []adapters.Item
			_, err = s.Snapshot(t.Context(), adapters.SnapshotRequest{Cursor: end.Cursor}, func(it adapters.Item) error { emitted = append(emitted, it); return nil })
			if err == nil {
				t.Fatalf("incremental snapshot over a dropped connection succeeded, emitted %+v", emitted)
			}
			armed.Store(false)
			again, _ := collect(t, s, adapters.SnapshotRequest{Cursor: end.Cursor})
			if len(again) != 1 || !again[0].Deleted || again[0].ID != dentist.ID {
				t.Errorf("next incremental run: %+v, want one tombstone for %s", again, dentist.ID)
			}
		})
	}
}

// A collection whose REPORTs keep failing with 503 is retried, then
// reported as an unreadable item named by its path with the server's
// answer, while the other collection imports; the listing is then not
// complete (nothing reads as deleted), and a server failing everything is
// a Temporary error of the whole snapshot.
func TestPersistentServerErrorIsReportedPerCollection(t *testing.T) {
	fx := conformance.StandardFixture()
	_, target := fakeServer(t, fx.Items)
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var failing atomic.Value // path prefix whose REPORTs answer 503
	failing.Store("/alice/calendars/work/")
	var refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := failing.Load().(string); r.Method == "REPORT" && strings.HasPrefix(r.URL.Path, p) {
			refused.Add(1)
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s, _ := newSource(t, opts(t, map[string]any{"url": srv.URL}))
	dav, err := s.client()
	if err != nil {
		t.Fatal(err)
	}
	dav.Backoff = time.Millisecond

	var items []adapters.Item
	end, err := s.Snapshot(t.Context(), adapters.SnapshotRequest{}, func(it adapters.Item) error { items = append(items, it); return nil })
	if err != nil {
		t.Fatalf("one failing collection failed the snapshot: %v", err)
	}
	var tasks, problems int
	for _, it := range items {
		switch {
		case it.Unreadable != "":
			problems++
			if it.ID != "/alice/calendars/work/" || !strings.Contains(it.Unreadable, "503") || !strings.Contains(it.Unreadable, "/alice/calendars/work/") {
				t.Errorf("problem item %q: %q, want the collection and the server's 503", it.ID, it.Unreadable)
			}
		case it.Kind == adapters.KindTask:
			tasks++
		default:
			t.Errorf("item %s of the failing calendar was emitted", it.ID)
		}
	}
	if problems != 1 || tasks == 0 || end.Complete {
		t.Fatalf("%d problems, %d tasks, complete %v; want 1 problem, the tasks, and an incomplete listing", problems, tasks, end.Complete)
	}
	if n := refused.Load(); n != 4 {
		t.Errorf("the failing REPORT was sent %d times, want 4 (one try, three retries)", n)
	}

	// Incremental: the failing calendar's objects must not come back as
	// tombstones.
	failing.Store("/nowhere/")
	_, full := collect(t, s, adapters.SnapshotRequest{})
	failing.Store("/alice/calendars/work/")
	again, _ := collect(t, s, adapters.SnapshotRequest{Cursor: full.Cursor})
	for _, it := range again {
		if it.Deleted {
			t.Errorf("incremental run with a failing calendar reported %s deleted", it.ID)
		}
	}
	if len(again) != 1 || again[0].Unreadable == "" {
		t.Errorf("incremental run emitted %+v, want only the collection's problem", again)
	}

	failing.Store("/alice/")
	_, err = s.Snapshot(t.Context(), adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
	if adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Fatalf("every collection failing: %v, want Temporary", err)
	}
}
