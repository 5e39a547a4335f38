package webjobs_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
	"github.com/gwsync/gwsync/internal/testenv/webtest"
	"github.com/gwsync/gwsync/web"
	"github.com/gwsync/gwsync/web/pgsessions"
	"github.com/gwsync/gwsync/worker"
	"github.com/gwsync/gwsync/worker/webjobs"
)

const (
	password     = "correct horse"
	imapPassword = "typed-imap-pw-5b2e91"
)

// site is what two `gwsync serve` replicas share on PostgreSQL: the state,
// River's tables, the web sessions, the key file, and the CRM and the
// mailbox of its users: sam (automatic, every hour) and kim, whose IMAP
// password is typed in the browser. Each replica is a
// web.Server whose Jobs is the queue; the worker that runs the jobs is
// started by the test when it wants the queue worked.
type site struct {
	t        *testing.T
	pool     *pgxpool.Pool
	queue    *worker.Queue
	st       *postgres.Store
	keys     *secretbox.Keyring
	crm      *memory.Store
	inbox    *memory.Store
	replicas [2]*httptest.Server

	mu       sync.Mutex
	received []string // kim's inbox password, per job opened for kim
}

const interval = time.Hour

func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := worker.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	keyFile := t.TempDir() + "/secret.key"
	if err := secretbox.GenerateKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, pool: pool, st: st, crm: memory.NewStore(), inbox: memory.NewStore()}
	if s.keys, err = secretbox.LoadKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	if s.queue, err = worker.NewQueue(pool, s.keys); err != nil {
		t.Fatal(err)
	}
	for i, subject := range []string{"Request for quote", "Newsletter"} {
		s.putMail(fmt.Sprintf("m%d", i+1), subject)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := []web.User{{Name: "sam", PasswordHash: string(hash), Automatic: true},
		{Name: "kim", PasswordHash: string(hash), Logins: []web.LoginSource{
			{Name: "inbox", Plugin: "imap", URL: "imap://127.0.0.1:1143", Username: "kim"}}}}
	for i := range s.replicas {
		store, err := pgsessions.Open(ctx, pool, pgsessions.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Options{Users: users, OpenJob: s.openJob, CRM: s.crm, State: st, Sessions: store, Keys: s.keys,
			Jobs: webjobs.Jobs{Queue: s.queue}, JobPoll: 20 * time.Millisecond, Interval: interval, ShutdownGrace: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() { hs.Close(); srv.Shutdown() })
		s.replicas[i] = hs
	}
	return s
}

func (s *site) putMail(id, subject string) {
	s.inbox.PutItem(adapters.Item{ID: id, Key: "mid:" + id + "@test", Kind: adapters.KindMessage, Subject: subject,
		From: "frida@example.org", Date: time.Now().Add(-time.Hour)})
}

func (s *site) openJob(_ context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
	switch user {
	case "sam":
	case "kim":
		s.mu.Lock()
		s.received = append(s.received, secrets["inbox"])
		s.mu.Unlock()
		if secrets["inbox"] != imapPassword {
			return nil, nil, &credentials.SourceError{Source: "inbox", Err: adapters.Errorf(adapters.CodeUnauthorized, "login refused")}
		}
	default:
		return nil, nil, fmt.Errorf("user %q: %w", user, worker.ErrUnknownUser)
	}
	return &engine.Job{User: user, Email: user + "@example.com", CRM: s.crm,
		Sources: []engine.NamedSource{{Name: "inbox", Source: s.inbox}},
		Window:  adapters.Window{From: time.Now().AddDate(-1, 0, 0), To: time.Now().AddDate(1, 0, 0)},
		Policy:  engine.NewestWins}, func() {}, nil
}

// startWorker works the queue in the test process until the test ends.
func (s *site) startWorker() {
	open := func(ctx context.Context, user string, secrets, _ map[string]string) (*engine.Job, func(), error) {
		return s.openJob(ctx, user, secrets)
	}
	w, err := worker.New(worker.Options{Pool: s.pool, State: s.st, OpenJob: open, Sealer: s.keys,
		Users: []worker.User{{Name: "sam", Automatic: true}, {Name: "kim", NeedsPassword: true}}, LeaseTTL: 5 * time.Second,
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: io.Discard})})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	s.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			s.t.Errorf("worker: %v", err)
		}
	})
}

// browser is one browser behind a load balancer: one cookie jar (keyed
// by host, so both replicas on 127.0.0.1 see the same cookies), each
// request sent to the replica the test names, redirects not followed.
type browser struct {
	*webtest.Browser
	s *site
}

func (s *site) browser() *browser {
	return &browser{Browser: webtest.NewBrowser(s.t, 30*time.Second, s.replicas[0].URL, s.replicas[1].URL), s: s}
}

var rowRE = regexp.MustCompile(`name="sel" value="([^"]+)"[^>]*>\s*</td>\s*<td[^>]*><label[^>]*>([^<]+)</label>`)

// planEmails chooses the e-mails area on a replica and, when planning
// outlasts the web's patience, follows its progress page until the plan
// is there and the e-mails step comes next.
func (b *browser) planEmails(replica int, csrf string) {
	t := b.s.t
	t.Helper()
	code, loc, body := b.Do(replica, http.MethodPost, "/sync/areas", url.Values{"csrf": {csrf}, "area": {"emails"}})
	for deadline := time.Now().Add(time.Minute); code == http.StatusOK || (code == http.StatusSeeOther && loc == "/sync/planning"); {
		if time.Now().After(deadline) {
			t.Fatalf("planning on replica %d did not end within a minute", replica)
		}
		time.Sleep(100 * time.Millisecond)
		code, loc, body = b.Do(replica, http.MethodGet, "/sync/planning", nil)
	}
	if code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("planning on replica %d: %d %q\n%s", replica, code, loc, body)
	}
}

// reviewOnA logs sam in and goes through the wizard on replica A: the
// e-mails area, keeping only "Request for quote". It returns the CSRF
// token for the execute step's form.
func (b *browser) reviewOnA() string {
	t := b.s.t
	t.Helper()
	token := b.CSRF(0, "/login")
	if code, _, _ := b.Do(0, http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	csrf := b.CSRF(0, "/status")
	b.planEmails(0, csrf)
	_, _, page := b.Do(0, http.MethodGet, "/sync/emails", nil)
	ids := map[string]string{}
	for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
		ids[m[2]] = m[1]
	}
	if len(ids) != 2 || ids["Request for quote"] == "" {
		t.Fatalf("the e-mails step lists %v, want both mails\n%s", ids, page)
	}
	shown := make([]string, 0, len(ids))
	for _, id := range ids {
		shown = append(shown, id)
	}
	if code, loc, _ := b.Do(0, http.MethodPost, "/sync/emails", url.Values{"csrf": {csrf}, "shown": shown, "sel": {ids["Request for quote"]}}); code != http.StatusSeeOther || loc != "/sync/execute" {
		t.Fatalf("the selection on A: %d %q", code, loc)
	}
	return csrf
}

func (s *site) crmSubjects() []string {
	var out []string
	for _, a := range s.crm.Activities() {
		out = append(out, a.Subject)
	}
	return out
}

func (s *site) syncJobs() int {
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1`, worker.KindSyncUser).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestApplyOnOneReplicaIsAJobFollowedOnTheOther: the wizard's Apply on A
// queues a job (nothing runs in A); B's run page says it is queued; once
// a worker runs it, B's event stream ends with "done" and B's summary
// shows the run. Only the mail the person kept is imported, not the one
// deselected nor one that arrived after the review.
func TestApplyOnOneReplicaIsAJobFollowedOnTheOther(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	csrf := b.reviewOnA()
	s.putMail("m3", "Arrived after the review")
	if code, loc, body := b.Do(0, http.MethodPost, "/sync/execute", url.Values{"csrf": {csrf}, "nav": {"run"}}); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Fatalf("Apply on A: %d %q\n%s", code, loc, body)
	}
	if n := s.syncJobs(); n != 1 {
		t.Fatalf("%d sync jobs after Apply, want 1", n)
	}
	if got := s.crmSubjects(); len(got) != 0 {
		t.Fatalf("the CRM holds %v before any worker ran: the replica ran the sync itself", got)
	}
	for _, path := range []string{"/sync", "/sync/emails"} {
		if code, loc, _ := b.Do(1, http.MethodGet, path, nil); code != http.StatusSeeOther || loc != "/sync/run" {
			t.Errorf("GET %s on B: %d %q, want the run page", path, code, loc)
		}
	}
	if code, _, body := b.Do(1, http.MethodGet, "/sync/run", nil); code != http.StatusOK || !strings.Contains(body, "waiting for a worker") {
		t.Fatalf("the run page on B while queued: %d\n%s", code, body)
	}
	s.startWorker()
	code, _, events := b.Do(1, http.MethodGet, "/sync/events", nil)
	if code != http.StatusOK || !strings.Contains(events, "event: done") || !strings.Contains(events, `"finished":true`) {
		t.Fatalf("B's event stream: %d\n%s", code, events)
	}
	code, _, body := b.Do(1, http.MethodGet, "/sync/run", nil)
	if code != http.StatusOK || !strings.Contains(body, `id="summary-title"`) || !strings.Contains(body, `id="run-status">ok<`) {
		t.Fatalf("the summary on B: %d\n%s", code, body)
	}
	if !regexp.MustCompile(`<div class="n">1</div><div class="label">Created</div>`).MatchString(body) {
		t.Errorf("the summary on B does not say 1 created:\n%s", body)
	}
	if got := s.crmSubjects(); len(got) != 1 || got[0] != "Request for quote" {
		t.Errorf("the CRM holds %v, want only the mail kept in the review", got)
	}
	// The summary is the same on A, and starting again leaves the job.
	if code, _, body := b.Do(0, http.MethodGet, "/sync/run", nil); code != http.StatusOK || !strings.Contains(body, `id="run-status">ok<`) {
		t.Errorf("the summary on A: %d\n%s", code, body)
	}
	if code, loc, _ := b.Do(0, http.MethodPost, "/sync/restart", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || loc != "/sync/areas" {
		t.Errorf("start again: %d %q", code, loc)
	}
}

// TestApplyWhileASyncIsQueuedSaysSo: when sam's scheduled sync is already
// queued, Apply queues nothing and the execute page says why; the review
// stays, and once that sync is over Apply works.
func TestApplyWhileASyncIsQueuedSaysSo(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	csrf := b.reviewOnA()
	if _, err := s.queue.EnqueueSyncs(context.Background(), []string{"sam"}); err != nil {
		t.Fatal(err)
	}
	code, _, body := b.Do(0, http.MethodPost, "/sync/execute", url.Values{"csrf": {csrf}, "nav": {"run"}})
	if code != http.StatusConflict || !strings.Contains(body, "already queued or running") || !strings.Contains(body, `id="execute-form"`) {
		t.Fatalf("Apply with a sync queued: %d, want 409 on the execute page saying so\n%s", code, body)
	}
	if n := s.syncJobs(); n != 1 {
		t.Errorf("%d sync jobs, want only the scheduled one", n)
	}
	s.startWorker()
	deadline := time.Now().Add(time.Minute)
	for {
		code, loc, _ := b.Do(0, http.MethodPost, "/sync/execute", url.Values{"csrf": {csrf}, "nav": {"run"}})
		if code == http.StatusSeeOther && loc == "/sync/run" {
			break
		}
		if code != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("Apply after the scheduled sync: %d %q", code, loc)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := s.syncJobs(); n != 2 {
		t.Errorf("%d sync jobs, want the scheduled one and the manual one", n)
	}
}

// TestStatusShowsTheQueuesNextRun: the status page of an automatic user
// says when the queue's schedule syncs them next: about now before any
// sync, then an interval after the last finished one, on every replica.
func TestStatusShowsTheQueuesNextRun(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	token := b.CSRF(1, "/login")
	if code, _, _ := b.Do(1, http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {"sam"}, "password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	nextRE := regexp.MustCompile(`id="next-run">([^<]*)<`)
	_, _, body := b.Do(1, http.MethodGet, "/status", nil)
	if m := nextRE.FindStringSubmatch(body); m == nil || m[1] != "now" {
		t.Fatalf("next run before any sync: %q\n%s", m, body)
	}
	ctx := context.Background()
	e, err := s.queue.EnqueueSyncs(ctx, []string{"sam"})
	if err != nil {
		t.Fatal(err)
	}
	s.startWorker()
	var finished time.Time
	deadline := time.Now().Add(time.Minute)
	for s.pool.QueryRow(ctx, `SELECT finalized_at FROM river_job WHERE id = $1 AND finalized_at IS NOT NULL`, e[0].JobID).Scan(&finished) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the sync did not finish within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := finished.Add(interval).UTC().Format("Mon 2 Jan 2006, 15:04:05")
	for replica := range s.replicas {
		_, _, body := b.Do(replica, http.MethodGet, "/status", nil)
		if m := nextRE.FindStringSubmatch(body); m == nil || m[1] != want {
			t.Errorf("next run on replica %d: %q, want %q", replica, m, want)
		}
	}
}

// TestTypedPasswordTravelsSealedInTheJob: kim types her IMAP password on
// A, reviews and executes on B; the job row holds the password only
// sealed, and the worker opens it and syncs kim.
func TestTypedPasswordTravelsSealedInTheJob(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	token := b.CSRF(0, "/login")
	if code, _, _ := b.Do(0, http.MethodPost, "/login", url.Values{"csrf": {token}, "user": {"kim"}, "password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if code, loc, _ := b.Do(0, http.MethodPost, "/credentials", url.Values{"csrf": {b.CSRF(0, "/credentials")}, "password-0": {imapPassword}}); code != http.StatusSeeOther || loc != "/sync" {
		t.Fatalf("typing the password on A: %d %q", code, loc)
	}
	csrf := b.CSRF(1, "/status")
	b.planEmails(1, csrf)
	var all []string
	for _, m := range rowRE.FindAllStringSubmatch(func() string { _, _, p := b.Do(1, http.MethodGet, "/sync/emails", nil); return p }(), -1) {
		all = append(all, m[1])
	}
	if code, _, _ := b.Do(1, http.MethodPost, "/sync/emails", url.Values{"csrf": {csrf}, "shown": all, "sel": all}); code != http.StatusSeeOther {
		t.Fatalf("selection on B: %d", code)
	}
	if code, loc, body := b.Do(1, http.MethodPost, "/sync/execute", url.Values{"csrf": {csrf}, "nav": {"run"}}); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Fatalf("Apply on B: %d %q\n%s", code, loc, body)
	}
	var args string
	if err := s.pool.QueryRow(context.Background(), `SELECT args::text FROM river_job WHERE kind = $1`, worker.KindSyncUser).Scan(&args); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(args, imapPassword) || !strings.Contains(args, `"secrets"`) {
		t.Fatalf("the job's args hold the password in plain text, or none at all: %s", args)
	}
	s.startWorker()
	if _, _, events := b.Do(0, http.MethodGet, "/sync/events", nil); !strings.Contains(events, "event: done") {
		t.Fatalf("A's event stream:\n%s", events)
	}
	if _, _, body := b.Do(0, http.MethodGet, "/sync/run", nil); !strings.Contains(body, `id="run-status">ok<`) {
		t.Fatalf("the summary on A:\n%s", body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.received); n != 2 || s.received[1] != imapPassword {
		t.Errorf("kim's jobs were opened with %q, want the typed password for the review and for the worker", s.received)
	}
	if n := len(s.crmSubjects()); n != 2 {
		t.Errorf("the CRM holds %d activities, want kim's 2 mails", n)
	}
}
