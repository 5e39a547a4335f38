package ews_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
)

// Neither Basic credentials nor an NTLM handshake follow a redirect to
// another origin: it is refused with an error naming both URLs, and the
// other listener sees no request at all.
func TestRedirectToAnotherOriginIsRefused(t *testing.T) {
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) {
			var hits, authed atomic.Int64
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if r.Header.Get("Authorization") != "" {
					authed.Add(1)
				}
				w.WriteHeader(http.StatusUnauthorized)
			}))
			t.Cleanup(other.Close)
			from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}))
			t.Cleanup(from.Close)
			fake := ewsfake.New(t)
			src := newSource(t, fake, func(c *ews.Config) { c.URL = from.URL + "/EWS/Exchange.asmx"; c.Auth = auth })
			_, err := src.Snapshot(t.Context(), adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
			if hits.Load() != 0 || authed.Load() != 0 {
				t.Fatalf("the other origin got %d requests, %d with Authorization", hits.Load(), authed.Load())
			}
			if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), from.URL) || !strings.Contains(err.Error(), other.URL) {
				t.Fatalf("got %v, want InvalidConfig naming both origins", err)
			}
		})
	}
}
