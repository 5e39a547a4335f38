package web

import (
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

// session is one browser's state. user is "" until the login succeeded.
// Fields after mu are guarded by it.
type session struct {
	id   string
	csrf string

	mu       sync.Mutex
	user     string
	lastSeen time.Time
	wizard   *wizard
	// secrets are the groupware passwords typed on the credentials page,
	// by source name. They live only here, in memory, and are dropped
	// with the session (logout, expiry, shutdown).
	secrets map[string]string
	// credErr is why the credentials page is shown again (a refused
	// login), already redacted; shown once.
	credErr string
}

// sessions holds every live session in memory: a restart logs everybody
// out, which is what a single-process server should do.
type sessions struct {
	mu     sync.Mutex
	byID   map[string]*session
	secure bool
}

func newSessions(secure bool) *sessions {
	return &sessions{byID: map[string]*session{}, secure: secure}
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
	s := ss.byID[c.Value]
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.lastSeen) > sessionIdle {
		delete(ss.byID, s.id)
		s.endWizardLocked()
		s.forgetSecretsLocked()
		return nil
	}
	s.lastSeen = time.Now()
	return s
}

// start creates a session for user ("" for a visitor who has not logged
// in yet) and sets its cookie. Logging in always starts a new session, so
// an id planted before the login is worth nothing after it.
func (ss *sessions) start(w http.ResponseWriter, user string) *session {
	s := &session{id: randomToken(), csrf: randomToken(), user: user, lastSeen: time.Now()}
	ss.mu.Lock()
	ss.sweepLocked()
	ss.byID[s.id] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
	return s
}

// end removes a session and clears its cookie.
func (ss *sessions) end(w http.ResponseWriter, s *session) {
	ss.mu.Lock()
	delete(ss.byID, s.id)
	ss.mu.Unlock()
	s.mu.Lock()
	s.endWizardLocked()
	s.forgetSecretsLocked()
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
}

// closeAll ends every session's wizard run; called at shutdown so that
// the sources they started are closed.
func (ss *sessions) closeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id, s := range ss.byID {
		s.mu.Lock()
		s.endWizardLocked()
		s.forgetSecretsLocked()
		s.mu.Unlock()
		delete(ss.byID, id)
	}
}

// sweepLocked drops expired sessions; ss.mu is held.
func (ss *sessions) sweepLocked() {
	for id, s := range ss.byID {
		s.mu.Lock()
		if time.Since(s.lastSeen) > sessionIdle {
			s.endWizardLocked()
			s.forgetSecretsLocked()
			delete(ss.byID, id)
		}
		s.mu.Unlock()
	}
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

// validCSRF reports whether the form carries the session's token. Every
// POST is checked, the login form included (login CSRF).
func (s *session) validCSRF(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}
