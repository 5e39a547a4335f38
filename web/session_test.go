package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestUnauthenticatedRequestsCreateNoSession(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	const flood = 2000
	for i := 0; i < flood; i++ {
		v := f.visitorAt("192.0.2.1")
		switch i % 4 {
		case 0:
			v.do(http.MethodGet, "/login", nil)
		case 1:
			v.do(http.MethodGet, "/sync", nil)
		case 2:
			v.do(http.MethodPost, "/login", url.Values{"csrf": {"forged"}, "user": {"sam"}, "password": {"x"}})
		default:
			v.do(http.MethodGet, "/", nil)
		}
	}
	if n := f.srv.sessions.len(); n != 0 {
		t.Fatalf("%d unauthenticated requests left %d sessions, want none", flood, n)
	}
	c := f.client()
	c.mustLogin("sam")
	if n := f.srv.sessions.len(); n != 1 {
		t.Errorf("after one login: %d sessions, want 1", n)
	}
}

func TestLoginFormTokenIsBoundToTheBrowserAndExpires(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	a, b := f.visitorAt("192.0.2.1"), f.visitorAt("192.0.2.2")
	token := csrfRE.FindStringSubmatch(a.do(http.MethodGet, "/login", nil).Body.String())[1]
	b.do(http.MethodGet, "/login", nil)
	// Another browser's token (login CSRF: a site posting its own token) is refused.
	if code := b.do(http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {testPassword}}).Code; code != http.StatusForbidden {
		t.Errorf("another browser's token: %d, want 403", code)
	}
	// An expired one too.
	f.srv.signer.now = func() time.Time { return time.Now().Add(loginTTL + time.Minute) }
	if code := a.do(http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {testPassword}}).Code; code != http.StatusForbidden {
		t.Errorf("an expired token: %d, want 403", code)
	}
}

func TestSessionsAreCappedLeastRecentlyUsedFirst(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, func(o *Options) { o.MaxSessions = 3 })
	var clients []*client
	for i := 0; i < 5; i++ {
		c := f.client()
		c.mustLogin("sam")
		clients = append(clients, c)
		if i == 2 {
			clients[0].get("/status") // the first becomes the most recently used
		}
	}
	if n := f.srv.sessions.len(); n != 3 {
		t.Fatalf("%d sessions, want the cap of 3", n)
	}
	for i, want := range []int{http.StatusOK, http.StatusSeeOther, http.StatusSeeOther, http.StatusOK, http.StatusOK} {
		if code, _, _ := clients[i].get("/status"); code != want {
			t.Errorf("client %d: /status %d, want %d", i, code, want)
		}
	}
}

func BenchmarkSessionLookupWithManySessions(b *testing.B) {
	for _, n := range []int{100, 25000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ss := newSessions(NewMemoryStore(n), "bench", false, n)
			rec := httptest.NewRecorder()
			var last *session
			for i := 0; i < n; i++ {
				var err error
				if last, err = ss.start(context.Background(), rec, "sam"); err != nil {
					b.Fatal(err)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, "/sync", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: last.id})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if s, err := ss.get(req); s == nil || err != nil {
					b.Fatal("session lost")
				}
			}
		})
	}
}
