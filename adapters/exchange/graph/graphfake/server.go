package graphfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the fake accepts.
const (
	Tenant       = "contoso-tenant"
	ClientID     = "11111111-2222-3333-4444-555555555555"
	ClientSecret = "fake-secret"
	Mailbox      = "alice@contoso.example"
)

// entry is one stored resource: its Graph JSON object and the change
// sequence number of its last change.
type entry struct {
	obj     map[string]any
	seq     int
	deleted bool
	parent  string // folder id (messages) or list id (tasks)
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	seq      int
	nextID   int
	tokens   map[string]bool
	revoked  bool
	folders  map[string]string // id → display name
	lists    map[string]string // id → display name
	messages map[string]*entry
	events   map[string]*entry
	tasks    map[string]*entry
	deltas   map[string]*deltaState
	pages    map[string]*pageState
	// epoch is bumped by ExpireDeltaTokens; states of older epochs are gone.
	epoch int

	throttle   int
	retryAfter string
	failures   int
	failStatus int
	pageSize   int
	log        []string
	deviceDone bool
}

// New starts a fake on 127.0.0.1 that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, tokens: map[string]bool{}, folders: map[string]string{}, lists: map[string]string{},
		messages: map[string]*entry{}, events: map[string]*entry{}, tasks: map[string]*entry{},
		deltas: map[string]*deltaState{}, pages: map[string]*pageState{}, pageSize: 2}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the adapter's base_url option.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1.0" }

// TokenURL is the adapter's token_url option.
func (s *Server) TokenURL() string { return s.srv.URL + "/" + Tenant + "/oauth2/v2.0/token" }

// Options returns adapter options pointing at the fake.
func (s *Server) Options() map[string]any {
	return map[string]any{"api": "graph", "tenant_id": Tenant, "client_id": ClientID, "client_secret": ClientSecret,
		"mailbox": Mailbox, "base_url": s.BaseURL(), "token_url": s.TokenURL()}
}

// OptionsJSON is Options as JSON.
func (s *Server) OptionsJSON() json.RawMessage {
	b, _ := json.Marshal(s.Options())
	return b
}

// Throttle makes the next n API requests fail with 429 and Retry-After.
func (s *Server) Throttle(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfter
}

// FailNext makes the next n API requests fail with status (a 5xx).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures, s.failStatus = n, status
}

// ExpireDeltaTokens makes every delta and skip token issued so far answer
// 410 Gone with syncStateNotFound, as Graph does when a token is too old.
func (s *Server) ExpireDeltaTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
}

// Revoke withdraws consent: issued tokens answer 401 and the token
// endpoint answers invalid_grant.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
	s.tokens = map[string]bool{}
}

// SetPageSize sets the most entries one page holds (default 2, so that
// paging is exercised even with little data).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Requests returns "METHOD path?query" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// failf reports a protocol violation by the client and answers 400.
func (s *Server) failf(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.t.Errorf("graphfake: %s", msg)
	writeError(w, http.StatusBadRequest, "BadRequest", msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "request-id": "fake"}}})
}

// newID returns a fresh Graph-looking id.
func (s *Server) newID(prefix string) string {
	s.nextID++
	return fmt.Sprintf("AAMkAG%s%04d=", prefix, s.nextID)
}

// touch stamps a changed entry with a new sequence number and etag.
func (s *Server) touch(e *entry) {
	s.seq++
	e.seq = s.seq
	e.obj["@odata.etag"] = fmt.Sprintf(`W/"CQAAABYAAAC%06d"`, s.seq)
	e.obj["lastModifiedDateTime"] = time.Now().UTC().Format("2006-01-02T15:04:05Z")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r.Method+" "+r.URL.RequestURI())
	path := r.URL.Path
	if strings.HasPrefix(path, "/"+Tenant+"/oauth2/v2.0/") {
		s.serveLogin(w, r, strings.TrimPrefix(path, "/"+Tenant+"/oauth2/v2.0/"))
		return
	}
	rest, ok := strings.CutPrefix(path, "/v1.0/users/")
	if !ok {
		s.failf(w, "unexpected request %s %s", r.Method, r.URL)
		return
	}
	mb, rest, _ := strings.Cut(rest, "/")
	if mb != Mailbox {
		s.failf(w, "request for mailbox %q, want %q", mb, Mailbox)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	if s.injectFault(w) {
		return
	}
	s.route(w, r, strings.Split(rest, "/"))
}

// authorized checks the bearer token.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		s.failf(w, "%s %s without a bearer token (Authorization %q)", r.Method, r.URL.Path, h)
		return false
	}
	if !s.tokens[tok] {
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
		return false
	}
	return true
}

func (s *Server) injectFault(w http.ResponseWriter) bool {
	switch {
	case s.throttle > 0:
		s.throttle--
		w.Header().Set("Retry-After", s.retryAfter)
		writeError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return true
	case s.failures > 0:
		s.failures--
		writeError(w, s.failStatus, "ServiceUnavailable", "fake server error")
		return true
	}
	return false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, p []string) {
	m := r.Method
	switch {
	case m == "GET" && len(p) == 1 && p[0] == "mailFolders":
		s.listFolders(w, r)
	case m == "GET" && len(p) == 4 && p[0] == "mailFolders" && p[2] == "messages" && p[3] == "delta":
		s.delta(w, r, "messages:"+p[1])
	case m == "GET" && len(p) == 2 && p[0] == "calendarView" && p[1] == "delta":
		s.delta(w, r, "events")
	case m == "GET" && len(p) == 1 && p[0] == "calendarView":
		s.calendarView(w, r)
	case m == "GET" && len(p) == 1 && p[0] == "events":
		s.findByProperty(w, r)
	case m == "POST" && len(p) == 1 && p[0] == "events":
		s.createEvent(w, r)
	case m == "PATCH" && len(p) == 2 && p[0] == "events":
		s.patch(w, r, s.events[p[1]], eventPatchFields)
	case m == "GET" && len(p) == 2 && p[0] == "todo" && p[1] == "lists":
		s.listLists(w, r)
	case m == "GET" && len(p) == 5 && p[0] == "todo" && p[1] == "lists" && p[3] == "tasks" && p[4] == "delta":
		s.delta(w, r, "tasks:"+p[2])
	case m == "PATCH" && len(p) == 5 && p[0] == "todo" && p[1] == "lists" && p[3] == "tasks":
		e := s.tasks[p[4]]
		if e != nil && e.parent != p[2] {
			e = nil
		}
		s.patch(w, r, e, taskPatchFields)
	default:
		s.failf(w, "unexpected request %s %s", m, r.URL)
	}
}
