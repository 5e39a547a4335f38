package caldav

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// Discovery (go-webdav over davx) never carries the password or token to
// another origin: /.well-known/caldav and every other URL of the server
// redirect to a second listener on another port, which must see no
// request at all, and the error names both URLs.
func TestDiscoveryRedirectToAnotherOriginCarriesNoCredentials(t *testing.T) {
	for name, cred := range map[string]map[string]any{
		"basic":  {"username": "alice", "password": "secret"},
		"bearer": {"token": "tok"},
	} {
		t.Run(name, func(t *testing.T) {
			var hits, authed atomic.Int64
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if r.Header.Get("Authorization") != "" {
					authed.Add(1)
				}
				w.WriteHeader(http.StatusNotFound)
			}))
			t.Cleanup(other.Close)
			from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
			}))
			t.Cleanup(from.Close)
			o := map[string]any{"url": from.URL + "/dav/"}
			for k, v := range cred {
				o[k] = v
			}
			s, _ := newSource(t, opts(t, o))
			_, err := s.Info(t.Context())
			if hits.Load() != 0 || authed.Load() != 0 {
				t.Fatalf("the other origin got %d requests, %d with Authorization", hits.Load(), authed.Load())
			}
			if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), from.URL) || !strings.Contains(err.Error(), other.URL) {
				t.Fatalf("got %v, want InvalidConfig naming both origins", err)
			}
		})
	}
}
