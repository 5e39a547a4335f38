package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingChecks makes a fixture whose password check counts its calls.
func countingChecks(t *testing.T) (*fixture, *atomic.Int32) {
	var checks atomic.Int32
	f := newFixtureWith(t, []User{sam(t)}, nil, func(s *Server) {
		s.checkPassword = func(hash, pw string) bool { checks.Add(1); return bcryptPassword(hash, pw) }
	})
	return f, &checks
}

func TestParallelGuessesAreCountedBeforeTheyAreChecked(t *testing.T) {
	f, checks := countingChecks(t)
	// The throttle's clock stands still: on a loaded machine the 100
	// requests may take longer than the first waits, which would let
	// later guesses through rightly and make the count flaky.
	stopped := time.Now()
	f.srv.store.(*MemoryStore).throttle.now = func() time.Time { return stopped }
	c := f.client()
	token := c.csrf("/login")
	var wg sync.WaitGroup
	var refused, delayed atomic.Int32
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.http.PostForm(f.http.URL+"/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {"guess"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				refused.Add(1)
			case http.StatusTooManyRequests:
				delayed.Add(1)
			default:
				t.Errorf("a guess got %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := checks.Load(); n > int32(pairRule.Free) {
		t.Errorf("%d of 100 parallel guesses reached the password check, want at most %d", n, pairRule.Free)
	}
	if refused.Load()+delayed.Load() != 100 || delayed.Load() < 100-int32(pairRule.Free) {
		t.Errorf("%d refused, %d delayed", refused.Load(), delayed.Load())
	}
}

// visitor drives the handler directly, so that each request can come from
// an address of its choice; it keeps its cookies.
type visitor struct {
	t       testing.TB
	h       http.Handler
	addr    string
	cookies map[string]*http.Cookie
}

func (f *fixture) visitorAt(addr string) *visitor {
	return &visitor{t: f.t, h: f.srv.Handler(), addr: addr, cookies: map[string]*http.Cookie{}}
}

func (b *visitor) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = b.addr + ":40000"
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

// login fetches the form and posts it; it returns the status.
func (b *visitor) login(user, password string) int {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.do(http.MethodGet, "/login", nil).Body.String())
	if m == nil {
		b.t.Fatal("no CSRF token on the login page")
	}
	return b.do(http.MethodPost, "/login", url.Values{"csrf": {m[1]}, "user": {user}, "password": {password}}).Code
}

func TestGuessingDoesNotLockTheRealUserOut(t *testing.T) {
	f, _ := countingChecks(t)
	// The real user logged in from the office before: the browser is known.
	office := f.visitorAt("192.0.2.10")
	if code := office.login("sam", testPassword); code != http.StatusSeeOther {
		t.Fatalf("first login: %d", code)
	}
	office.do(http.MethodPost, "/logout", url.Values{"csrf": {office.sessionCSRF()}})

	// A guesser behind the same office address hammers the name.
	attacker := f.visitorAt("192.0.2.10")
	delayed := 0
	for i := 0; i < 50; i++ {
		switch code := attacker.login("sam", "guess"); code {
		case http.StatusTooManyRequests:
			delayed++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if delayed < 50-pairRule.Free {
		t.Errorf("only %d of 50 guesses were delayed", delayed)
	}
	// Even the right password is delayed for the guesser's browser…
	if code := attacker.login("sam", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("right password from the guessing browser: %d, want 429", code)
	}
	// …but not for the known browser at the same address…
	if code := office.login("sam", testPassword); code != http.StatusSeeOther {
		t.Errorf("known browser during the attack: %d, want 303", code)
	}
	// …nor for a new browser at another address.
	if code := f.visitorAt("198.51.100.7").login("sam", testPassword); code != http.StatusSeeOther {
		t.Errorf("another address during the attack: %d, want 303", code)
	}
}

func TestGuessingFromManyAddressesSlowsTheNameButNotKnownBrowsers(t *testing.T) {
	f, _ := countingChecks(t)
	home := f.visitorAt("203.0.113.5")
	if code := home.login("sam", testPassword); code != http.StatusSeeOther {
		t.Fatalf("first login: %d", code)
	}
	home.do(http.MethodPost, "/logout", url.Values{"csrf": {home.sessionCSRF()}})
	for i := 0; i < nameRule.Free+2; i++ {
		f.visitorAt(fmt.Sprintf("192.0.2.%d", 20+i)).login("sam", "guess")
	}
	if code := f.visitorAt("198.51.100.7").login("sam", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("a new browser after spread-out guessing: %d, want 429", code)
	}
	if code := home.login("sam", testPassword); code != http.StatusSeeOther {
		t.Errorf("the known browser after spread-out guessing: %d, want 303", code)
	}
}

func TestDelaysGrowAndEnd(t *testing.T) {
	r := pairRule
	for fails, want := range map[int]time.Duration{1: 0, 3: time.Second, 4: 2 * time.Second, 6: 8 * time.Second, 40: r.Cap} {
		if got := r.Delay(fails); got != want {
			t.Errorf("delay after %d failures: %v, want %v", fails, got, want)
		}
	}
	l := newLoginThrottle()
	clock := time.Now()
	l.now = func() time.Time { return clock }
	keys := []ThrottleKey{{"pair:x", pairRule}}
	for i := 0; i < pairRule.Free; i++ {
		if ok, _ := l.begin(keys); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.begin(keys)
	if ok || wait != time.Second {
		t.Fatalf("after %d failures: ok=%v wait=%v, want a 1s wait", pairRule.Free, ok, wait)
	}
	clock = clock.Add(wait)
	if ok, _ := l.begin(keys); !ok {
		t.Fatal("refused after the wait")
	}
	if _, wait := l.begin(keys); wait != 2*time.Second {
		t.Errorf("next wait %v, want 2s", wait)
	}
	l.succeed(keys)
	if ok, _ := l.begin(keys); !ok {
		t.Error("a success did not clear the key")
	}
}

func TestThrottleMemoryIsBounded(t *testing.T) {
	l := newLoginThrottle()
	l.max = 50
	for i := 0; i < 1000; i++ {
		l.begin([]ThrottleKey{{"user:" + randomToken(), nameRule}})
	}
	if n := len(l.entries); n > 50 {
		t.Errorf("%d entries, want at most 50", n)
	}
}

// sessionCSRF reads the logged-in session's token from the status page.
func (b *visitor) sessionCSRF() string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.do(http.MethodGet, "/status", nil).Body.String())
	if m == nil {
		b.t.Fatal("no CSRF token on the status page")
	}
	return m[1]
}
