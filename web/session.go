package web

import (
	"container/list"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie is the cookie that names a session. It holds only a random
// id: everything else stays on the server.
const sessionCookie = "gwsync_session"

// sessionIdle is how long an unused session lives; a wizard run left open
// keeps its sources started, so sessions must not live for days.
const sessionIdle = 2 * time.Hour

// DefaultMaxSessions bounds the sessions kept in memory when
// Options.MaxSessions is 0.
const DefaultMaxSessions = 1000

// session is one logged-in browser's state: sessions exist only after a
// successful login (the login form needs none, see loginCSRF). Fields
// after mu are guarded by it; elem and seen belong to the sessions store
// and are guarded by its mu.
type session struct {
	id   string
	csrf string
	elem *list.Element
	seen time.Time

	mu     sync.Mutex
	user   string
	wizard *wizard
	// secrets are the groupware passwords typed on the credentials page,
	// by source name. They live only here, in memory, and are dropped
	// with the session (logout, expiry, eviction, shutdown).
	secrets map[string]string
	// credErr is why the credentials page is shown again (a refused
	// login), already redacted; shown once.
	credErr string
}

// sessions holds every live session in memory: a restart logs everybody
// out, which is what a single-process server should do. The sessions are
// also kept in a list, most recently used first, so that expiry and the
// cap look only at the list's tail: each request costs O(1), however
// many sessions there are.
type sessions struct {
	mu     sync.Mutex
	byID   map[string]*session
	lru    *list.List // of *session, most recently used at the front
	max    int
	secure bool
	now    func() time.Time
}

func newSessions(secure bool, max int) *sessions {
	if max <= 0 {
		max = DefaultMaxSessions
	}
	return &sessions{byID: map[string]*session{}, lru: list.New(), max: max, secure: secure, now: time.Now}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns the request's session, or nil when it has none or it expired.
func (ss *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	ss.expireLocked(now)
	s := ss.byID[c.Value]
	if s == nil {
		return nil
	}
	s.seen = now
	ss.lru.MoveToFront(s.elem)
	return s
}

// len is the number of live sessions.
func (ss *sessions) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.byID)
}

// start creates a session for a user who just logged in and sets its
// cookie. Logging in always starts a new session, so an id planted before
// the login is worth nothing after it. At the cap, the least recently
// used session is ended.
func (ss *sessions) start(w http.ResponseWriter, user string) *session {
	s := &session{id: randomToken(), csrf: randomToken(), user: user}
	ss.mu.Lock()
	now := ss.now()
	ss.expireLocked(now)
	for len(ss.byID) >= ss.max {
		ss.dropLocked(ss.lru.Back().Value.(*session))
	}
	s.seen = now
	s.elem = ss.lru.PushFront(s)
	ss.byID[s.id] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
	return s
}

// end removes a session and clears its cookie.
func (ss *sessions) end(w http.ResponseWriter, s *session) {
	ss.mu.Lock()
	if ss.byID[s.id] == s {
		ss.dropLocked(s)
	}
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
}

// closeAll ends every session; called at shutdown so that the sources
// their wizards started are closed.
func (ss *sessions) closeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, s := range ss.byID {
		ss.dropLocked(s)
	}
}

// expireLocked ends the sessions idle for longer than sessionIdle. They
// sit at the list's tail, so this stops at the first live one.
func (ss *sessions) expireLocked(now time.Time) {
	for e := ss.lru.Back(); e != nil; e = ss.lru.Back() {
		s := e.Value.(*session)
		if now.Sub(s.seen) <= sessionIdle {
			return
		}
		ss.dropLocked(s)
	}
}

// dropLocked forgets s, releases its wizard's sources and its typed
// passwords; ss.mu is held.
func (ss *sessions) dropLocked(s *session) {
	delete(ss.byID, s.id)
	ss.lru.Remove(s.elem)
	s.mu.Lock()
	s.endWizardLocked()
	s.forgetSecretsLocked()
	s.mu.Unlock()
}

// endWizardLocked releases the wizard run's sources; s.mu is held.
func (s *session) endWizardLocked() {
	if s.wizard != nil {
		s.wizard.release()
		s.wizard = nil
	}
}

// csrfField is the name of the hidden form field with the CSRF token.
const csrfField = "csrf"

// validCSRF reports whether the form carries the session's token.
func (s *session) validCSRF(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}
