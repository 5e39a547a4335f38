package caldav

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/conformance"
)

// Stall modes of staller.
const (
	passThrough = iota
	silent      // read the request, never answer
	halfAnswer  // headers and half the body, then silence
)

// staller proxies to target; in mode silent or halfAnswer it holds every
// request open without a further byte until the test ends.
func staller(t *testing.T, target string) (string, *atomic.Int32) {
	t.Helper()
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var mode atomic.Int32
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := mode.Load()
		if m == passThrough {
			proxy.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Accept-Encoding") // half a gzip stream is not half an answer
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if m == halfAnswer {
			body := rec.Body.Bytes()
			fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n", rec.Code, http.StatusText(rec.Code), len(body))
			_, _ = buf.Write(body[:len(body)/2])
			_ = buf.Flush()
		}
		<-done
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv.URL, &mode
}

// A server that stops answering (silent, or in the middle of an answer)
// ends the snapshot within stall_timeout, Temporary, naming the server
// and what stalled; once it answers again the next run resumes from the
// last cursor and gets what changed meanwhile.
func TestStalledServerEndsTheRunAndTheNextResumes(t *testing.T) {
	fx := conformance.StandardFixture()
	for name, m := range map[string]int32{"silent": silent, "half answer": halfAnswer} {
		t.Run(name, func(t *testing.T) {
			b, target := fakeServer(t, fx.Items)
			stallAndResume(t, target, m, map[string]any{"calendars": []string{"Work"}, "task_lists": []string{}}, func(uid string) {
				if _, err := b.Put("/alice/calendars/work/"+uid+".ics", []byte(newEvent(uid))); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// stallAndResume runs a full snapshot of the server at target through a
// staller, adds an event with put, stalls the server in mode m and checks
// that the incremental run ends in time with a clear error, then that the
// next run from the same cursor gets the new event.
func stallAndResume(t *testing.T, target string, m int32, o map[string]any, put func(uid string)) {
	t.Helper()
	u, mode := staller(t, target)
	host := strings.TrimPrefix(strings.TrimSuffix(u, "/"), "http://")
	o["url"], o["timeout"], o["stall_timeout"] = u, "1s", "300ms"
	s, _ := newSource(t, opts(t, o))
	_, end := collect(t, s, adapters.SnapshotRequest{})

	uid := fmt.Sprintf("stall-%d@gwsync.test", time.Now().UnixNano())
	put(uid)
	mode.Store(m)
	start := time.Now()
	_, err := s.Snapshot(t.Context(), adapters.SnapshotRequest{Cursor: end.Cursor}, func(adapters.Item) error { return nil })
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("stalled server held the snapshot %v", took)
	}
	if err == nil || adapters.CodeOf(err) != adapters.CodeTemporary || !davx.IsStall(err) {
		t.Fatalf("stalled snapshot: %v, want a Temporary stall", err)
	}
	t.Logf("stalled run: %v", err)
	if !strings.Contains(err.Error(), host) {
		t.Errorf("error %q does not name the server %s", err, host)
	}

	mode.Store(passThrough)
	items, _ := collect(t, s, adapters.SnapshotRequest{Cursor: end.Cursor})
	if _, ok := byKey(items, "ical:"+uid); !ok || len(items) != 1 {
		t.Fatalf("resumed run: %d items %+v, want the new event", len(items), items)
	}
}

// Info (discovery) against a server that accepts and never answers ends
// within stall_timeout too, and asks once, not at every discovery URL.
func TestInfoAgainstSilentServerEndsInTime(t *testing.T) {
	_, target := fakeServer(t, nil)
	u, mode := staller(t, target)
	mode.Store(silent)
	s, ct := newSource(t, opts(t, map[string]any{"url": u, "stall_timeout": "300ms"}))
	start := time.Now()
	_, err := s.Info(t.Context())
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("Info took %v", took)
	}
	if adapters.CodeOf(err) != adapters.CodeTemporary || !davx.IsStall(err) {
		t.Fatalf("Info: %v, want a Temporary stall", err)
	}
	if n := ct.n.Load(); n != 1 {
		t.Errorf("%d requests to a silent server, want 1", n)
	}
}

// timeout and stall_timeout are durations; anything else is refused by
// name.
func TestTimeoutOptionsAreChecked(t *testing.T) {
	for _, bad := range []map[string]any{
		{"timeout": "soon"}, {"stall_timeout": "-1s"}, {"stall_timeout": "0s"}, {"timeout": 30},
	} {
		bad["url"] = "http://127.0.0.1:1/"
		_, err := New(adapters.Config{Options: opts(t, bad)})
		if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("%v: got %v, want InvalidConfig naming the option", bad, err)
		}
	}
	s, err := New(adapters.Config{Options: opts(t, map[string]any{"url": "http://127.0.0.1:1/", "timeout": "2s", "stall_timeout": "2m"})})
	if err != nil || s.set.timeout != 2*time.Second || s.set.stall != 2*time.Minute {
		t.Fatalf("%v %+v", err, s)
	}
	s, _ = New(adapters.Config{Options: opts(t, map[string]any{"url": "http://127.0.0.1:1/"})})
	if s.set.timeout != DefaultTimeout || s.set.stall != DefaultStallTimeout {
		t.Errorf("defaults %v %v", s.set.timeout, s.set.stall)
	}
}

func newEvent(uid string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gwsync//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:new\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}
