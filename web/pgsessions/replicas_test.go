package pgsessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
	"github.com/gwsync/gwsync/internal/testenv/webtest"
	"github.com/gwsync/gwsync/web"
	"github.com/gwsync/gwsync/web/pgsessions"
)

const (
	password     = "correct horse"
	imapPassword = "typed-imap-pw-8d1f0c"
)

// cluster is two replicas of the web client (two web.Server, as two
// `gwsync serve` processes would be) on one PostgreSQL database, sharing
// one key file's keyring, one engine state and one CRM. The clock of
// both session stores is the test's.
type cluster struct {
	t        *testing.T
	pool     *pgxpool.Pool
	replicas [2]*httptest.Server
	servers  [2]*web.Server

	mu       sync.Mutex
	clock    time.Time
	received []map[string]string // the typed passwords each OpenJob got
}

func (c *cluster) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clock
}

func (c *cluster) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock = c.clock.Add(d)
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := sqlite.Open(ctx, t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := []web.User{
		{Name: "sam", PasswordHash: string(hash)},
		{Name: "kim", PasswordHash: string(hash), Logins: []web.LoginSource{
			{Name: "inbox", Plugin: "imap", URL: "imap://127.0.0.1:1143", Username: "kim"}}},
	}
	keyFile := t.TempDir() + "/secret.key"
	if err := secretbox.GenerateKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, pool: pool, clock: time.Now()}
	crm := memory.NewStore()
	src := memory.NewStore()
	src.PutItem(adapters.Item{ID: "m1", Key: "mid:m1@test", Kind: adapters.KindMessage, Subject: "Request for quote",
		From: "frida@example.org", Date: time.Now()})
	openJob := func(ctx context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
		c.mu.Lock()
		c.received = append(c.received, secrets)
		c.mu.Unlock()
		if user == "kim" && secrets["inbox"] != imapPassword {
			return nil, nil, &credentials.SourceError{Source: "inbox", Err: adapters.Errorf(adapters.CodeUnauthorized, "login refused")}
		}
		return &engine.Job{User: user, Email: user + "@example.com", CRM: crm,
			Sources: []engine.NamedSource{{Name: "inbox", Source: src}},
			Window:  adapters.Window{From: time.Now().AddDate(-1, 0, 0), To: time.Now().AddDate(1, 0, 0)},
			Policy:  engine.NewestWins}, func() {}, nil
	}
	for i := range c.replicas {
		// Each replica loads the key file itself, as each process would.
		keys, err := secretbox.LoadKeyFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		store, err := pgsessions.Open(ctx, pool, pgsessions.Options{Clock: c.now})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Options{Users: users, OpenJob: openJob, CRM: crm, State: st, Sessions: store, Keys: keys,
			ShutdownGrace: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() { hs.Close(); srv.Shutdown() })
		c.replicas[i], c.servers[i] = hs, srv
	}
	return c
}

// browser is one browser behind the load balancer: one cookie jar, and
// each request sent to the replica the test names (0 = A, 1 = B).
// Redirects are not followed, so that tests see where an answer sends
// the user.
type browser struct {
	*webtest.Browser
	c *cluster
}

func (c *cluster) browser() *browser {
	return &browser{Browser: webtest.NewBrowser(c.t, 20*time.Second, c.replicas[0].URL, c.replicas[1].URL), c: c}
}

// login fetches the login form on replica form and posts it to replica
// post; it returns the status.
func (b *browser) login(form, post int, user, pw string) int {
	b.c.t.Helper()
	token := b.CSRF(form, "/login")
	code, _, _ := b.Do(post, http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {user}, "password": {pw}})
	return code
}

func (b *browser) loggedIn(replica int) bool {
	b.c.t.Helper()
	code, loc, _ := b.Do(replica, http.MethodGet, "/status", nil)
	switch {
	case code == http.StatusOK:
		return true
	case code == http.StatusSeeOther && loc == "/login":
		return false
	}
	b.c.t.Fatalf("/status on replica %d: %d %q", replica, code, loc)
	return false
}

func TestLoginOnOneReplicaHoldsOnTheOther(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	// The login form comes from A, its post reaches B: the signed token
	// verifies with the shared key.
	if code := b.login(0, 1, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("login form from A posted to B: %d, want 303", code)
	}
	if !b.loggedIn(0) || !b.loggedIn(1) {
		t.Fatal("the session is not seen by both replicas")
	}
	// A form token from A's page is accepted by B: here, logout on B.
	token := b.CSRF(0, "/status")
	if code, loc, _ := b.Do(1, http.MethodPost, "/logout", url.Values{"csrf": {token}}); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout on B with A's token: %d %q", code, loc)
	}
	// Logout on B ended the session on A too. The cookie is gone from
	// the jar; replay it as a thief would.
	if b.loggedIn(0) {
		t.Error("after logout on B, A still serves the session")
	}
	n, err := countRows(c, "web_sessions")
	if err != nil || n != 0 {
		t.Errorf("web_sessions holds %d rows after the logout (%v)", n, err)
	}
}

func TestEndedSessionCookieIsRefusedByEveryReplica(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	if code := b.login(0, 0, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	u, _ := url.Parse(c.replicas[0].URL)
	var cookie *http.Cookie
	for _, ck := range b.HTTP.Jar.Cookies(u) {
		if ck.Name == "gwsync_session" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	b.Do(1, http.MethodPost, "/logout", url.Values{"csrf": {b.CSRF(0, "/status")}})
	for i := range c.replicas {
		req, _ := http.NewRequest(http.MethodGet, c.replicas[i].URL+"/status", nil)
		req.AddCookie(cookie)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("replica %d serves an ended session's cookie: %d", i, resp.StatusCode)
		}
	}
}

func TestWrongPasswordsSpreadOverReplicasAreThrottledAsOne(t *testing.T) {
	c := newCluster(t) // the clock stands still: no wait ever runs out
	b := c.browser()
	var codes []int
	for i := 0; i < 5; i++ {
		codes = append(codes, b.login(i%2, i%2, "sam", "guess"))
	}
	// Three failures go through (the pair rule lets a user mistype);
	// the fourth and fifth wait, whichever replica they reach.
	want := []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusUnauthorized,
		http.StatusTooManyRequests, http.StatusTooManyRequests}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("five wrong passwords over A and B answered %v, want %v", codes, want)
		}
	}
	// Even the right password waits now, on both.
	if code := b.login(1, 1, "sam", password); code != http.StatusTooManyRequests {
		t.Errorf("right password during the wait: %d, want 429", code)
	}
	// One row per key (address, name from address, name), hashed.
	if n, err := countRows(c, "web_login_throttle"); err != nil || n != 3 {
		t.Errorf("web_login_throttle holds %d rows, want 3 (%v)", n, err)
	}
	// Once the wait is over, the right password goes through and clears
	// the keys for both replicas.
	c.advance(2 * time.Second)
	if code := b.login(0, 0, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("right password after the wait: %d, want 303", code)
	}
	if n, err := countRows(c, "web_login_throttle"); err != nil || n != 0 {
		t.Errorf("web_login_throttle holds %d rows after a success, want none (%v)", n, err)
	}
}

func TestKnownDeviceIsKnownToEveryReplica(t *testing.T) {
	c := newCluster(t)
	home := c.browser()
	if code := home.login(0, 0, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("first login: %d", code)
	}
	home.Do(0, http.MethodPost, "/logout", url.Values{"csrf": {home.CSRF(0, "/status")}})
	// A guesser at the same address (httptest: every client is
	// 127.0.0.1) runs the pair and address keys up, over both replicas.
	guesser := c.browser()
	for i := 0; i < 12; i++ {
		guesser.login(i%2, i%2, "sam", "guess")
	}
	if code := guesser.login(1, 1, "sam", password); code != http.StatusTooManyRequests {
		t.Fatalf("the guessing browser with the right password: %d, want 429", code)
	}
	// The browser that logged in on A is known to B, so it gets through.
	if code := home.login(1, 1, "sam", password); code != http.StatusSeeOther {
		t.Errorf("the known browser on B during the attack: %d, want 303", code)
	}
	if n, err := countRows(c, "web_known_devices"); err != nil || n != 1 {
		t.Errorf("web_known_devices holds %d rows, want 1 (%v)", n, err)
	}
}

func TestSessionExpiresOnBothReplicas(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	if code := b.login(0, 0, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	// Use on B moves the expiry on for A too.
	c.advance(web.SessionIdle - time.Minute)
	if !b.loggedIn(1) {
		t.Fatal("session ended before its idle time")
	}
	c.advance(web.SessionIdle - time.Minute)
	if !b.loggedIn(0) {
		t.Fatal("use on B did not keep the session alive on A")
	}
	c.advance(web.SessionIdle + time.Second)
	if b.loggedIn(1) || b.loggedIn(0) {
		t.Error("an idle session is still served")
	}
}

func TestTypedPasswordIsSealedInTheDatabaseAndOpenedByTheOtherReplica(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	if code := b.login(0, 0, "kim", password); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if _, loc, _ := b.Do(1, http.MethodGet, "/sync", nil); loc != "/credentials" {
		t.Fatalf("/sync on B went to %q, want the credentials page", loc)
	}
	token := b.CSRF(0, "/credentials")
	if code, loc, _ := b.Do(0, http.MethodPost, "/credentials", url.Values{"csrf": {token}, "password-0": {imapPassword}}); code != http.StatusSeeOther || loc != "/sync" {
		t.Fatalf("entering the password on A: %d %q", code, loc)
	}
	// Every column of every row, as text: the password is in none.
	rows, err := c.pool.Query(context.Background(), `SELECT t::text, secrets->>'inbox' FROM web_sessions t`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var all string
		var sealed *string
		if err := rows.Scan(&all, &sealed); err != nil {
			t.Fatal(err)
		}
		n++
		if strings.Contains(all, imapPassword) {
			t.Errorf("web_sessions holds the typed password in plain text: %s", all)
		}
		if sealed == nil || *sealed == "" {
			t.Errorf("web_sessions holds no sealed password for inbox: %s", all)
		}
	}
	if err := rows.Err(); err != nil || n != 1 {
		t.Fatalf("%d session rows (%v), want 1", n, err)
	}
	// B opens it when the plan needs it: the wizard plans on B.
	if code, loc, body := b.Do(1, http.MethodPost, "/sync/areas", url.Values{"csrf": {b.CSRF(1, "/status")}, "area": {"emails"}}); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("planning on B: %d %q\n%s", code, loc, body)
	}
	c.mu.Lock()
	got := c.received[len(c.received)-1]["inbox"]
	c.mu.Unlock()
	if got != imapPassword {
		t.Errorf("the job opened on B got password %q, want the typed one", got)
	}
}

func TestWizardOnAnotherReplicaSaysSoAndStartsAgain(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	if code := b.login(0, 0, "sam", password); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if code, loc, _ := b.Do(0, http.MethodPost, "/sync/areas", url.Values{"csrf": {b.CSRF(0, "/status")}, "area": {"emails"}}); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("planning on A: %d %q", code, loc)
	}
	if code, _, body := b.Do(0, http.MethodGet, "/sync/emails", nil); code != http.StatusOK || !strings.Contains(body, "Request for quote") {
		t.Fatalf("the review on A: %d\n%s", code, body)
	}
	// The balancer sends the next request to B, which does not hold the
	// review: a clear page, never a 500.
	for _, path := range []string{"/sync/emails", "/sync"} {
		code, _, body := b.Do(1, http.MethodGet, path, nil)
		if code != http.StatusConflict || !strings.Contains(body, "started on another server") {
			t.Errorf("GET %s on B: %d, want 409 with the explanation\n%s", path, code, body)
		}
	}
	if code, _, _ := b.Do(1, http.MethodPost, "/sync/emails", url.Values{"csrf": {b.CSRF(1, "/status")}, "sel": {"x"}}); code != http.StatusConflict {
		t.Errorf("POST on B: %d, want 409", code)
	}
	// Starting again on B replaces the review; A drops its own.
	if code, loc, _ := b.Do(1, http.MethodPost, "/sync/restart", url.Values{"csrf": {b.CSRF(1, "/status")}}); code != http.StatusSeeOther || loc != "/sync/areas" {
		t.Fatalf("start again on B: %d %q", code, loc)
	}
	if code, _, _ := b.Do(1, http.MethodGet, "/sync/areas", nil); code != http.StatusOK {
		t.Errorf("the areas step on B after starting again: %d", code)
	}
	if code, loc, _ := b.Do(0, http.MethodGet, "/sync/emails", nil); code != http.StatusSeeOther || loc != "/sync/areas" {
		t.Errorf("the old review on A after starting again on B: %d %q, want a redirect to the areas", code, loc)
	}
}

func TestSharedStoreNeedsKeys(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = web.New(web.Options{Users: []web.User{{Name: "sam"}}, CRM: memory.NewStore(), State: st,
		Sessions: pgsessions.New(pool, pgsessions.Options{}),
		OpenJob: func(context.Context, string, map[string]string) (*engine.Job, func(), error) {
			return nil, nil, nil
		}})
	if err == nil || !strings.Contains(err.Error(), "secret_key_file") {
		t.Errorf("a shared store without keys: %v, want an error naming serve.secret_key_file", err)
	}
}

func TestReplicasMigrateAtOnce(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = pgsessions.Open(ctx, pool, pgsessions.Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM web_schema_migrations`).Scan(&n); err != nil || n != 1 {
		t.Errorf("web_schema_migrations has %d rows (%v), want 1", n, err)
	}
	// A database migrated by a newer gwsync is refused, not downgraded.
	if _, err := pool.Exec(ctx, `INSERT INTO web_schema_migrations (version, name) VALUES (999, '0999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	if _, err := pgsessions.Open(ctx, pool, pgsessions.Options{}); err == nil || !strings.Contains(err.Error(), "newer gwsync") {
		t.Errorf("a newer schema: %v", err)
	}
}

func countRows(c *cluster, table string) (int, error) {
	var n int
	err := c.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n)
	return n, err
}

func TestParallelGuessesOverReplicasAreCountedBeforeTheyAreChecked(t *testing.T) {
	c := newCluster(t)
	b := c.browser()
	token := b.CSRF(0, "/login")
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := b.HTTP.PostForm(c.replicas[i%2].URL+"/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {"guess"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			counts[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	// A 401 is an attempt that reached the password check; the pair
	// rule lets three through, whatever replica each guess reached.
	if counts[http.StatusUnauthorized] > 3 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 40 {
		t.Errorf("40 parallel guesses over A and B: %v, want at most 3 checked (401), the rest 429", counts)
	}
}
