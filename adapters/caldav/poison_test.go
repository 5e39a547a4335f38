package caldav

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
)

// poisoner proxies to target and writes a raw ^A into "POISON" in the
// first `times` multistatus answers (REPORTs): what a server that stores
// a control character in SUMMARY sends, which the in-memory server, like
// every encoding/xml writer, would replace.
func poisoner(t *testing.T, target string, times int64) string {
	t.Helper()
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "REPORT" || n.Add(1) > times {
			proxy.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Accept-Encoding")
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte("POISON"), []byte("POI\x01SON")))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// An event whose answer holds a control character never makes its
// collection unreadable: the neighbours import, the bad one is asked for
// again alone and, still bad, reported Unreadable by href and UID, and
// asked for again on the next run. When it reads clean alone, it imports.
func TestControlCharacterSpoilsOneObjectOnly(t *testing.T) {
	fx := conformance.StandardFixture()
	for name, tc := range map[string]struct {
		times      int64
		unreadable bool
	}{"still bad alone": {1000, true}, "clean alone": {1, false}} {
		t.Run(name, func(t *testing.T) {
			b, target := fakeServer(t, fx.Items)
			if _, err := b.Put("/alice/calendars/work/poison.ics", []byte(strings.Replace(newEvent("poison@gwsync.test"), "SUMMARY:new", "SUMMARY:POISON", 1))); err != nil {
				t.Fatal(err)
			}
			s, _ := newSource(t, opts(t, map[string]any{"url": poisoner(t, target, tc.times), "calendars": []string{"Work"}, "task_lists": []string{}}))
			items, end := collect(t, s, adapters.SnapshotRequest{})
			var bad []adapters.Item
			good := 0
			for _, it := range items {
				if it.Unreadable != "" {
					bad = append(bad, it)
				} else {
					good++
				}
			}
			if good != 3+boolInt(!tc.unreadable) {
				t.Errorf("%d items imported, want the 3 neighbours%s", good, map[bool]string{false: " and the event"}[tc.unreadable])
			}
			if !tc.unreadable {
				if len(bad) != 0 {
					t.Fatalf("unreadable %+v", bad)
				}
				return
			}
			if len(bad) != 1 || bad[0].ID != "/alice/calendars/work/poison.ics" || !strings.Contains(bad[0].Unreadable, "poison@gwsync.test") || !strings.Contains(bad[0].Unreadable, "control character") {
				t.Fatalf("unreadable items %+v, want poison.ics named with its UID", bad)
			}
			t.Logf("reported: %s", bad[0].Unreadable)
			again, _ := collect(t, s, adapters.SnapshotRequest{Cursor: end.Cursor})
			if len(again) != 1 || again[0].ID != bad[0].ID || again[0].Unreadable == "" {
				t.Fatalf("next run: %+v, want the bad object asked for again", again)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
