package graph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
)

// otherOrigin counts the requests that reach it, and those with an
// Authorization header.
func otherOrigin(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var hits, authed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			authed.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, &authed
}

// redirectTo answers everything with a 307 (method and body kept) to
// target plus the path.
func redirectTo(t *testing.T, target string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Neither the bearer token (API calls) nor the client secret (token
// endpoint) follows a redirect to another origin: the redirect is refused
// with an error naming both URLs and nothing reaches the other listener.
func TestRedirectToAnotherOriginIsRefused(t *testing.T) {
	for name, change := range map[string]func(c *graph.Config, from string){
		"api":   func(c *graph.Config, from string) { c.BaseURL = from + "/v1.0" },
		"token": func(c *graph.Config, from string) { c.TokenURL = from + "/tenant/oauth2/v2.0/token" },
	} {
		t.Run(name, func(t *testing.T) {
			fake := graphfake.New(t)
			other, hits, authed := otherOrigin(t)
			from := redirectTo(t, other.URL)
			src := newSource(t, fake, func(c *graph.Config) { change(c, from.URL) })
			_, _, err := snapshot(t, src, adapters.SnapshotRequest{})
			if hits.Load() != 0 || authed.Load() != 0 {
				t.Fatalf("the other origin got %d requests, %d with Authorization", hits.Load(), authed.Load())
			}
			if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), from.URL) || !strings.Contains(err.Error(), other.URL) {
				t.Fatalf("got %v, want InvalidConfig naming both origins", err)
			}
		})
	}
}
