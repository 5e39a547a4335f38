package web

import (
	"context"
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

// session is one logged-in browser's state as this replica sees it:
// sessions exist only after a successful login (the login form needs
// none, see loginCSRF). What every replica must see alike (the user, the
// CSRF token, the typed passwords) comes from the SessionStore at every
// request; the wizard run stays here, in this replica's memory. Fields
// after mu are guarded by it.
type session struct {
	id   string
	user string
	csrf string

	mu     sync.Mutex
	wizard *wizard
	// secrets are the groupware passwords typed on the credentials page,
	// by source name, in the form the store keeps them: sealed when the
	// store is shared (Server.openSecretsLocked opens them for a run), as
	// typed when it is this process's memory. They are dropped with the
	// session (logout, expiry, eviction, shutdown).
	secrets map[string]string
	// wizardAt is the store's record of where the session's review was
	// planned ("REPLICA/RUN", "" none).
	wizardAt string
	// credErr is why the credentials page is shown again (a refused
	// login), already redacted; shown once.
	credErr string
}

// sessions finds the request's session: in the SessionStore, which may be
// shared with other replicas, and in this replica's own bounded LRU of
// session objects, which hold the wizard runs. A session the store no
// longer has (ended on another replica, expired) is dropped here at its
// next request, its wizard's sources released.
type sessions struct {
	store   SessionStore
	replica string // this process, in wizard marks

	mu     sync.Mutex
	local  *lru[*session]
	secure bool
	now    func() time.Time
}

func newSessions(store SessionStore, replica string, secure bool, max int) *sessions {
	if max <= 0 {
		max = DefaultMaxSessions
	}
	return &sessions{store: store, replica: replica, local: newLRU[*session](max, SessionIdle), secure: secure, now: time.Now}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns the request's session, or nil when it has none or it
// ended or expired. The store is read under the session's mutex, so that
// what a request sees of the store is not older than what a request
// before it on this replica wrote. Errors are the store's.
func (ss *sessions) get(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	id := c.Value
	ss.mu.Lock()
	s, ok, dropped := ss.local.get(id, ss.now())
	ss.mu.Unlock()
	releaseSessions(dropped)
	if !ok {
		rec, found, err := ss.store.LookupSession(r.Context(), id)
		if err != nil || !found {
			return nil, err
		}
		s = ss.adopt(rec)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, found, err := ss.store.LookupSession(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !found {
		ss.mu.Lock()
		ss.local.remove(id)
		ss.mu.Unlock()
		s.releaseLocked()
		return nil, nil
	}
	s.refreshLocked(rec)
	return s, nil
}

// adopt makes the local object of a session the store has, or returns the
// one a parallel request made meanwhile.
func (ss *sessions) adopt(rec StoredSession) *session {
	ss.mu.Lock()
	now := ss.now()
	s, ok, dropped := ss.local.get(rec.ID, now)
	if !ok {
		s = &session{id: rec.ID, user: rec.User, csrf: rec.CSRF}
		dropped = append(dropped, ss.local.put(rec.ID, s, now)...)
	}
	ss.mu.Unlock()
	releaseSessions(dropped)
	return s
}

// refreshLocked takes what the store says of the session. A wizard run
// with a plan that the store no longer names was replaced or dropped on
// another replica: it is released here. s.mu is held.
func (s *session) refreshLocked(rec StoredSession) {
	s.secrets = rec.Secrets
	s.wizardAt = rec.Wizard
	if s.wizard != nil && s.wizard.plan != nil && s.wizard.mark != rec.Wizard {
		s.endWizardLocked()
	}
}

// len is the number of live sessions in the store; 0 when it cannot say.
func (ss *sessions) len() int {
	n, _ := ss.store.CountSessions(context.Background())
	return n
}

// start creates a session for a user who just logged in and sets its
// cookie. Logging in always starts a new session, so an id planted before
// the login is worth nothing after it. Errors are the store's; then no
// cookie is set.
func (ss *sessions) start(ctx context.Context, w http.ResponseWriter, user string) (*session, error) {
	rec := StoredSession{ID: randomToken(), CSRF: randomToken(), User: user}
	if err := ss.store.CreateSession(ctx, rec); err != nil {
		return nil, err
	}
	s := ss.adopt(rec)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
	return s, nil
}

// end removes a session, on every replica sharing the store, and clears
// its cookie. The cookie is cleared and the local state dropped even when
// the store fails; the error is the store's.
func (ss *sessions) end(ctx context.Context, w http.ResponseWriter, s *session) error {
	err := ss.store.EndSession(ctx, s.id)
	ss.mu.Lock()
	cur, ok := ss.local.remove(s.id)
	if ok && cur != s {
		ss.local.put(s.id, cur, ss.now())
		ok = false
	}
	ss.mu.Unlock()
	if ok {
		releaseSessions([]*session{s})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: ss.secure, SameSite: http.SameSiteStrictMode})
	return err
}

// closeAll releases every session's wizard on this replica; called at
// shutdown so that the sources their wizards started are closed. The
// sessions themselves stay in a shared store: another replica serves them.
func (ss *sessions) closeAll() {
	ss.mu.Lock()
	all := ss.local.drain()
	ss.mu.Unlock()
	releaseSessions(all)
}

// releaseSessions ends the wizards of sessions dropped from this
// replica's memory and forgets their typed passwords; no lock is held.
func releaseSessions(list []*session) {
	for _, s := range list {
		s.mu.Lock()
		s.releaseLocked()
		s.mu.Unlock()
	}
}

// releaseLocked releases the wizard's sources and the typed passwords;
// s.mu is held.
func (s *session) releaseLocked() {
	s.endWizardLocked()
	s.forgetSecretsLocked()
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
