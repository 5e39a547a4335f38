package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/imap" // its declared kinds name the account "mail"
	"github.com/gwsync/gwsync/engine"
	"github.com/hashicorp/go-hclog"
)

// syncBuffer is a log output that tests read while the server may write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// samWithIMAP is a user whose imap source has no password in the config.
func samWithIMAP(t *testing.T) User {
	u := sam(t)
	u.Logins = []LoginSource{{Name: "inbox", Plugin: "imap", URL: "imaps://127.0.0.1:993", Username: "sam@example.com"}}
	return u
}

const (
	rightIMAPPassword = "right-imap-pw-4711"
	wrongIMAPPassword = "wrong-imap-pw-0815"
)

func TestMissingCredentialsAreAskedOncePerSession(t *testing.T) {
	logs := &syncBuffer{}
	f := newFixture(t, []User{samWithIMAP(t)}, func(o *Options) {
		o.Logger = hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Trace})
	})
	f.passwords = map[string]string{"inbox": rightIMAPPassword}
	var bodies []string
	get := func(c *client, path string) (int, string, string) {
		code, loc, body := c.get(path)
		bodies = append(bodies, body)
		return code, loc, body
	}
	post := func(c *client, path string, v url.Values) (int, string, string) {
		code, loc, body := c.post(path, v)
		bodies = append(bodies, body)
		return code, loc, body
	}
	c := f.client()
	c.mustLogin("sam")

	// Every way into the wizard leads to the credentials page first.
	for _, p := range []string{"/sync", "/sync/areas", "/"} {
		code, loc, _ := get(c, p)
		if p == "/" {
			code, loc, _ = get(c, loc)
		}
		if code != http.StatusSeeOther || loc != credentialsPath {
			t.Errorf("GET %s: %d %q, want the credentials page", p, code, loc)
		}
	}
	if _, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); loc != credentialsPath {
		t.Errorf("areas form before the password: %q, want the credentials page", loc)
	}
	if n := f.opened.Load(); n != 0 {
		t.Fatalf("OpenJob ran %d times without the password", n)
	}
	code, _, body := get(c, credentialsPath)
	for _, want := range []string{"Enter your login data", "mail at 127.0.0.1", "sam@example.com",
		`name="password-0"`, `autocomplete="current-password"`, `name="csrf"`} {
		if !strings.Contains(body, want) {
			t.Errorf("credentials page lacks %q (%d)", want, code)
		}
	}
	// The user's words only: no source name, adapter or raw URL.
	for _, internal := range []string{">inbox<", "(imap)", "imaps://"} {
		if strings.Contains(body, internal) {
			t.Errorf("credentials page shows %q", internal)
		}
	}

	// Without the CSRF token the password is not taken.
	if code, _, _ := post(c, credentialsPath, url.Values{"password-0": {rightIMAPPassword}}); code != http.StatusForbidden {
		t.Errorf("credentials without token: %d, want 403", code)
	}
	if _, loc, _ := get(c, "/sync"); loc != credentialsPath {
		t.Errorf("after the refused form /sync went to %q, want the credentials page", loc)
	}
	token := c.csrf(credentialsPath)
	if code, _, body := post(c, credentialsPath, url.Values{"csrf": {token}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Enter the password") {
		t.Errorf("empty password: %d, want 422 with a message", code)
	}

	// A wrong password: the source refuses it, the form comes back with the
	// error, and the password is forgotten.
	if _, loc, _ := post(c, credentialsPath, url.Values{"csrf": {token}, "password-0": {wrongIMAPPassword}}); loc != "/sync" {
		t.Fatalf("after the password: %q, want /sync", loc)
	}
	if _, loc, _ := get(c, "/sync"); loc != "/sync/areas" {
		t.Fatalf("with a password /sync went to %q, want the areas", loc)
	}
	if _, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); loc != credentialsPath {
		t.Fatalf("a refused password: %q, want the credentials page again", loc)
	}
	if got := f.lastSecrets(); got["inbox"] != wrongIMAPPassword {
		t.Errorf("OpenJob got %v", got)
	}
	code, _, body = get(c, credentialsPath)
	if code != http.StatusOK || !strings.Contains(body, "The login was refused") || !strings.Contains(body, `name="password-0"`) {
		t.Errorf("after a refused login: %d\n%s", code, body)
	}
	if !strings.Contains(body, "[redacted]") {
		t.Errorf("the echoed password was not masked:\n%s", body)
	}

	// The right one reaches OpenJob and is not asked for again.
	token = c.csrf(credentialsPath)
	post(c, credentialsPath, url.Values{"csrf": {token}, "password-0": {rightIMAPPassword}})
	if _, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); loc != "/sync/emails" {
		t.Fatalf("with the right password: %q, want /sync/emails", loc)
	}
	if got := f.lastSecrets(); len(got) != 1 || got["inbox"] != rightIMAPPassword {
		t.Errorf("OpenJob got %v, want the typed password for inbox", got)
	}
	if code, _, _ := get(c, "/sync/emails"); code != http.StatusOK {
		t.Errorf("emails step: %d", code)
	}
	if _, loc, _ := get(c, credentialsPath); loc != "/sync" {
		t.Errorf("the credentials page with nothing missing went to %q, want /sync", loc)
	}

	// Another browser has a session of its own and is asked itself.
	other := f.client()
	other.mustLogin("sam")
	if _, loc, _ := get(other, "/sync"); loc != credentialsPath {
		t.Errorf("a second session was not asked: %q", loc)
	}

	// Logout forgets the password: logging in again asks for it again.
	if code, _, _ := post(c, "/logout", url.Values{"csrf": {c.csrf("/status")}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	f.srv.sessions.mu.Lock()
	for e := f.srv.sessions.local.order.Front(); e != nil; e = e.Next() {
		s := e.Value.(*lruEntry[*session]).val
		s.mu.Lock()
		if len(s.secrets) != 0 {
			t.Errorf("session of %q keeps %d passwords after the logout", s.user, len(s.secrets))
		}
		s.mu.Unlock()
	}
	f.srv.sessions.mu.Unlock()
	c.mustLogin("sam")
	if _, loc, _ := get(c, "/sync"); loc != credentialsPath {
		t.Errorf("after logging in again /sync went to %q, want the credentials page", loc)
	}

	for _, pw := range []string{rightIMAPPassword, wrongIMAPPassword} {
		for _, b := range bodies {
			if strings.Contains(b, pw) {
				t.Errorf("a page shows the password %q:\n%s", pw, b)
			}
		}
		if strings.Contains(logs.String(), pw) {
			t.Errorf("the log holds the password %q:\n%s", pw, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "planning failed") {
		t.Errorf("the refused login was not logged at all:\n%s", logs.String())
	}
}

func (f *fixture) lastSecrets() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.received) == 0 {
		return nil
	}
	return f.received[len(f.received)-1]
}

func TestUnauthorizedForAConfiguredPasswordStaysOnTheAreasPage(t *testing.T) {
	f := newFixture(t, []User{samWithIMAP(t)}, func(o *Options) {
		open := o.OpenJob
		o.OpenJob = func(ctx context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
			if _, _, err := open(ctx, user, secrets); err != nil {
				return nil, nil, err
			}
			return nil, nil, &SourceError{Source: "work", Err: adapters.Errorf(adapters.CodeUnauthorized, "work (caldav): 401")}
		}
	})
	c := f.client()
	c.mustLogin("sam")
	token := c.csrf(credentialsPath)
	c.post(credentialsPath, url.Values{"csrf": {token}, "password-0": {rightIMAPPassword}})
	code, _, body := c.form("/sync/areas", url.Values{"area": {"emails"}})
	if code != http.StatusBadGateway || !strings.Contains(body, "work (caldav): 401") {
		t.Errorf("a refused config password: %d\n%s", code, body)
	}
	if _, loc, _ := c.get("/sync"); loc != "/sync/areas" {
		t.Errorf("the typed password was dropped for another source's error: /sync went to %q", loc)
	}
}

func TestExpiredSessionForgetsPasswords(t *testing.T) {
	store := NewMemoryStore(0)
	ss := newSessions(store, "test", false, 0)
	clock := time.Now()
	store.now = func() time.Time { return clock }
	ss.now = store.now
	ctx := context.Background()
	rec := httptest.NewRecorder()
	start := func(user string) *session {
		t.Helper()
		s, err := ss.start(ctx, rec, user)
		if err != nil {
			t.Fatal(err)
		}
		s.secrets = map[string]string{"inbox": rightIMAPPassword}
		store.SetSessionSecrets(ctx, s.id, s.secrets)
		return s
	}
	s := start("sam")
	clock = clock.Add(SessionIdle + time.Minute)
	req, _ := http.NewRequest(http.MethodGet, "/sync", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.id})
	if got, err := ss.get(req); got != nil || err != nil {
		t.Fatalf("an expired session was returned (%v)", err)
	}
	if s.secrets != nil {
		t.Errorf("the expired session keeps its passwords")
	}
	// Expiry at the next login does the same for sessions nobody asks for.
	s2 := start("sam")
	clock = clock.Add(SessionIdle + time.Minute)
	start("kim")
	if s2.secrets != nil {
		t.Errorf("the expired session keeps its passwords")
	}
	if n := ss.len(); n != 1 {
		t.Errorf("%d sessions live, want only kim's", n)
	}
}

func TestScheduledRunReportsMissingCredentials(t *testing.T) {
	u := samWithIMAP(t)
	u.Automatic = true
	f := newFixture(t, []User{u}, func(o *Options) { o.Interval = time.Hour })
	f.srv.syncAutomatic(context.Background(), "sam")
	if n := f.opened.Load(); n != 0 {
		t.Errorf("the scheduler opened the job %d times without the password", n)
	}
	c := f.client()
	c.mustLogin("sam")
	_, _, body := c.get("/status")
	if !strings.Contains(body, "inbox (imap)") || !strings.Contains(body, "cannot ask for it") {
		t.Errorf("the status page does not report the missing password:\n%s", body)
	}
}
