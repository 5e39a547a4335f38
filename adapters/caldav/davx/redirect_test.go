package davx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// capture is a second origin that records whether any request reached it
// with credentials.
func capture(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	var hits, withAuth atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			withAuth.Add(1)
		}
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = w.Write([]byte(okBody))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, &withAuth
}

// redirector answers every request with a 302 to target (+ the path).
func redirector(t *testing.T, target string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Credentials stay with their origin: a redirect to another port of the
// same host (another origin) is refused with an error naming both URLs,
// and the second listener never sees the Basic password or the token.
func TestRedirectToAnotherOriginCarriesNoCredentials(t *testing.T) {
	for name, auth := range map[string]func(*http.Request){
		"basic":  func(r *http.Request) { r.SetBasicAuth("alice", "secret") },
		"bearer": func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok") },
	} {
		t.Run(name, func(t *testing.T) {
			other, hits, withAuth := capture(t)
			from := redirector(t, other.URL)
			c := &Client{HTTP: NewHTTPClient(http.DefaultTransport, 0), Authorize: auth, Stall: 5 * time.Second}
			_, err := propfind(c, from.URL+"/cal/")
			if withAuth.Load() != 0 {
				t.Fatalf("the other origin got credentials %d times", withAuth.Load())
			}
			if hits.Load() != 0 {
				t.Errorf("the redirect to another origin was followed (%d requests)", hits.Load())
			}
			if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), from.URL+"/cal/") || !strings.Contains(err.Error(), other.URL+"/cal/") {
				t.Errorf("got %v, want InvalidConfig naming both URLs", err)
			}
		})
	}
}

// A redirect within the origin is still followed, credentials and all.
func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	var authed atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/old/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/cal/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/cal/", func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			authed.Add(1)
		}
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = w.Write([]byte(okBody))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &Client{HTTP: NewHTTPClient(http.DefaultTransport, 0), Authorize: func(r *http.Request) { r.SetBasicAuth("alice", "secret") }}
	if members, err := propfind(c, srv.URL+"/old/"); err != nil || members != 1 || authed.Load() != 1 {
		t.Fatalf("%d members, %v, %d authenticated requests", members, err, authed.Load())
	}
}
