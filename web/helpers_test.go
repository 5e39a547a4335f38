package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"golang.org/x/crypto/bcrypt"
)

const testPassword = "correct horse"

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a web client over memory adapters: one groupware store per
// user, one CRM, a SQLite state.
type fixture struct {
	t       testing.TB
	srv     *Server
	http    *httptest.Server
	crm     *memory.Store
	sources map[string]*memory.Store
	opened  atomic.Int32 // OpenJob calls: the plan must be computed once per wizard run
	// passwords are the right passwords of sources that need one typed
	// in, by source name; OpenJob refuses any other with an Unauthorized
	// error that echoes the wrong password (as a careless server might).
	passwords map[string]string
	mu        sync.Mutex
	received  []map[string]string // the secrets each OpenJob call got
}

// seed fills a user's groupware with three e-mails, a task and two events.
func seed(s *memory.Store, user string) {
	mail := func(id, subj, from, date string) {
		s.PutItem(adapters.Item{ID: id, Key: "mid:" + id + "@" + user, Kind: adapters.KindMessage, Subject: subj,
			From: from, To: []string{user + "@example.com"}, Date: at(date)})
	}
	mail("m1", "Request for quote: 12 Enterprise seats", "frida.buyer@example.org", "2027-01-05T09:12:00Z")
	mail("m2", "Re: Product demo on 19 January", "chris@contoso.example.org", "2027-01-07T09:05:00Z")
	mail("m3", "Purchase order 2027-0042", "lisa@litware.example.org", "2027-01-08T11:40:00Z")
	s.PutItem(adapters.Item{ID: "t1", Key: "ical:task-1-" + user, Kind: adapters.KindTask, Subject: "Send quote to Contoso",
		Raster: adapters.Raster{Due: at("2027-01-12T17:00:00Z")}})
	s.PutItem(adapters.Item{ID: "e1", Key: "ical:visit-" + user, Kind: adapters.KindEvent, Subject: "Customer visit Northwind Traders",
		Raster: adapters.Raster{Start: at("2027-01-14T09:00:00Z"), End: at("2027-01-14T10:30:00Z")}})
	s.PutItem(adapters.Item{ID: "e2", Key: "ical:pricing-" + user, Kind: adapters.KindEvent, Subject: "Pricing negotiation with Fabrikam",
		From: "mia@fabrikam.example.org", Attendees: []string{user + "@example.com"},
		Raster: adapters.Raster{Start: at("2027-01-27T13:00:00Z"), End: at("2027-01-27T14:00:00Z")}})
}

func hash(t testing.TB) string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// newFixture starts a server for users; edit tweaks the options first.
func newFixture(t testing.TB, users []User, edit func(*Options)) *fixture {
	t.Helper()
	return newFixtureWith(t, users, edit, nil)
}

// newFixtureWith is newFixture with a hook on the server before it
// answers its first request. The HTTP server is the one Serve runs, with
// its timeouts.
func newFixtureWith(t testing.TB, users []User, edit func(*Options), prepare func(*Server)) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, crm: memory.NewStore(), sources: map[string]*memory.Store{}}
	for _, u := range users {
		src := memory.NewStore()
		seed(src, u.Name)
		f.sources[u.Name] = src
	}
	opts := Options{Users: users, CRM: f.crm, State: st, ShutdownGrace: time.Second,
		OpenJob: func(ctx context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
			f.opened.Add(1)
			f.mu.Lock()
			f.received = append(f.received, secrets)
			f.mu.Unlock()
			for name, want := range f.passwords {
				if got := secrets[name]; got != want {
					return nil, nil, &SourceError{Source: name, Err: adapters.Errorf(adapters.CodeUnauthorized,
						"%s (imap): login refused for password %q", name, got)}
				}
			}
			job := &engine.Job{User: user, Email: user + "@example.com", CRM: f.crm,
				Sources: []engine.NamedSource{{Name: "inbox", Source: f.sources[user]}},
				Window:  adapters.Window{From: at("2026-01-01T00:00:00Z"), To: at("2028-01-01T00:00:00Z")},
				Policy:  engine.NewestWins}
			for _, u := range users {
				if u.Name == user {
					job.Areas = u.Areas
				}
			}
			return job, func() {}, nil
		}}
	if edit != nil {
		edit(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	if prepare != nil {
		prepare(srv)
	}
	f.http = httptest.NewUnstartedServer(nil)
	f.http.Config = srv.httpServer(srv.Handler())
	f.http.Start()
	t.Cleanup(func() {
		f.http.Close()
		srv.Shutdown()
	})
	return f
}

// client is one browser: a cookie jar, redirects not followed so tests see
// where each answer sends the user.
type client struct {
	t    testing.TB
	f    *fixture
	http *http.Client
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: f.t, f: f, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get returns status, Location and body.
func (c *client) get(path string) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.f.http.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.f.http.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the token from the form of the page at path.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, _, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s:\n%s", path, body)
	}
	return m[1]
}

func (c *client) login(user, password string) (int, string, string) {
	c.t.Helper()
	return c.post("/login", url.Values{"csrf": {c.csrf("/login")}, "user": {user}, "password": {password}})
}

func (c *client) mustLogin(user string) {
	c.t.Helper()
	if code, loc, body := c.login(user, testPassword); code != http.StatusSeeOther || loc != "/sync" {
		c.t.Fatalf("login: %d %q\n%s", code, loc, body)
	}
}

// form posts to a wizard step with the page's token.
func (c *client) form(path string, v url.Values) (int, string, string) {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", c.csrf("/status"))
	return c.post(path, v)
}

var selRE = regexp.MustCompile(`name="sel" value="([^"]+)"[^>]*>\s*</td>\s*<td[^>]*><label[^>]*>([^<]+)</label>`)

// candidates maps subject → action id on a dataset step.
func (c *client) candidates(path string) map[string]string {
	c.t.Helper()
	_, _, body := c.get(path)
	out := map[string]string{}
	for _, m := range selRE.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// waitRun polls the run page until the summary shows.
func (c *client) waitRun() string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, _, body := c.get("/sync/run")
		if strings.Contains(body, `id="summary"`) {
			return body
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatal("the run did not finish")
	return ""
}

// subjects lists the subjects of the CRM's activities owned by user.
func (f *fixture) subjects(user string) map[string]bool {
	out := map[string]bool{}
	for _, a := range f.crm.Activities() {
		for _, o := range a.Owners {
			if o == user {
				out[a.Subject] = true
			}
		}
	}
	return out
}

// engineUnreadable is an item the source could not read.
func engineUnreadable() adapters.Item {
	return adapters.Item{ID: "broken.eml", Kind: adapters.KindMessage, Unreadable: "no headers at all"}
}
