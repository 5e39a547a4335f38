package web

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// maxFormBytes bounds a form body: the largest form is a dataset step with
// one 12-character id per candidate.
const maxFormBytes = 4 << 20

// authed wraps a handler that needs a logged-in user. A GET without one is
// sent to the login page; a POST is refused. Every POST must carry the
// session's CSRF token, or it is refused with 403 before the handler runs.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.sessions.get(r)
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		if sess == nil || sess.user == "" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if !sess.validCSRF(r) {
				s.refuseCSRF(w, r, sess)
				return
			}
		}
		h(w, r, sess)
	}
}

// refuseCSRF answers a form without its token: 403 with a page that says
// what happened, and nothing done.
func (s *Server) refuseCSRF(w http.ResponseWriter, r *http.Request, sess *session) {
	s.log.Warn("form refused: missing or wrong CSRF token", "path", r.URL.Path, "remote", r.RemoteAddr)
	s.render(w, http.StatusForbidden, "error.html", s.view(sess, "Refused", errorPage{
		Message: "This form was refused because its security token is missing or out of date. Nothing was changed. Reload the page and try again."}))
}

// storeFailed answers a request the session store could not serve: 503,
// nothing changed, try again.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("session store failed", "path", r.URL.Path, "error", err)
	w.Header().Set("Retry-After", "5")
	s.render(w, http.StatusServiceUnavailable, "error.html", s.view(nil, "Try again", errorPage{
		Message: "The server cannot reach its session store right now. Nothing was changed. Try again in a moment."}))
}

type loginPage struct {
	Name  string
	Error string
}

// loginPage shows the form. It creates no session: the form's CSRF token
// is signed, not stored (loginCSRF).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sess, _ := s.sessions.get(r); sess != nil {
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginPage{})
}

// renderLogin shows the login form with a fresh signed CSRF token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, page loginPage) {
	v := s.view(nil, "Log in", page)
	v.CSRF = s.issueLoginCSRF(w, r)
	s.render(w, status, "login.html", v)
}

// login checks the form's CSRF token, the throttle and the password, in
// that order. A refused login says neither whether the user exists nor
// which part was wrong. Only a successful login creates a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !s.validLoginCSRF(r) {
		s.refuseCSRF(w, r, nil)
		return
	}
	name := r.PostFormValue("user")
	keys := s.throttleKeys(r, name)
	ok, wait, err := s.store.BeginLogin(r.Context(), keys)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	if !ok {
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.Warn("login delayed", "user", name, "remote", r.RemoteAddr, "wait", wait.Round(time.Second))
		s.renderLogin(w, r, http.StatusTooManyRequests, loginPage{Name: name,
			Error: "Too many failed logins. Wait " + strconv.Itoa(secs) + " seconds and try again."})
		return
	}
	u, known := s.users[name]
	if !s.checkPassword(u.PasswordHash, r.PostFormValue("password")) || !known {
		s.log.Warn("login refused", "user", name, "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, loginPage{Name: name, Error: "Wrong user name or password."})
		return
	}
	if err := s.store.LoginSucceeded(r.Context(), keys); err != nil {
		s.log.Warn("login throttle not cleared", "user", u.Name, "error", err)
	}
	if old, _ := s.sessions.get(r); old != nil {
		if err := s.sessions.end(r.Context(), w, old); err != nil {
			s.storeFailed(w, r, err)
			return
		}
	}
	if _, err := s.sessions.start(r.Context(), w, u.Name); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	s.rememberDevice(w, r, u.Name)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	s.log.Info("login", "user", u.Name, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
}

// throttleKeys are the keys a login attempt counts against (loginThrottle
// explains the policy). A browser with a known-device cookie for this
// name is throttled on that device's key alone, so that guessing on the
// name, from elsewhere or from the same address, does not shut it out.
func (s *Server) throttleKeys(r *http.Request, name string) []ThrottleKey {
	if dev, ok := s.knownDevice(r, name); ok {
		return []ThrottleKey{{"device:" + dev, deviceRule}}
	}
	addr := addrKey(clientAddr(r))
	return []ThrottleKey{{"addr:" + addr, addrRule}, {"pair:" + addr + "\x00" + name, pairRule}, {"user:" + name, nameRule}}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := s.sessions.end(r.Context(), w, sess); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

var (
	dummyOnce sync.Once
	dummyHash []byte
)

// bcryptPassword compares with bcrypt. A user without a hash (unknown, or
// not allowed to log in) is compared with a dummy hash, so the answer
// takes as long as for a real user and does not tell which names exist.
func bcryptPassword(hash, password string) bool {
	if hash == "" {
		dummyOnce.Do(func() {
			dummyHash, _ = bcrypt.GenerateFromPassword([]byte("gwsync-dummy"), bcrypt.DefaultCost)
		})
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// clientAddr is the peer's IP. Headers such as X-Forwarded-For are not
// trusted: anyone can send them to dodge the rate limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// userName is the session's user, fixed at login.
func (s *session) userName() string { return s.user }
