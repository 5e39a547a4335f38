package web

import (
	"net/http"
	"strings"
	"time"
)

// The login form works without a server-side session: its CSRF token is
// signed (double-submit: the token is bound to a random nonce in a cookie
// of the same browser, so a token fetched by another site is worthless),
// and a browser that logged in before is recognised by a signed
// known-device cookie. Neither costs the server memory, so unauthenticated
// requests cannot fill it.
const (
	loginCookie  = "gwsync_login"
	loginTTL     = time.Hour
	deviceCookie = "gwsync_device"
	deviceTTL    = 90 * 24 * time.Hour

	// Key purposes (Keyring.Key), also the tokens' signed purposes.
	purposeLogin  = "csrf"
	purposeDevice = "device-cookie"
)

// issueLoginCSRF returns the token for a login form, reusing the
// browser's nonce cookie when it has a valid one, else setting a new one.
func (s *Server) issueLoginCSRF(w http.ResponseWriter, r *http.Request) string {
	nonce := ""
	if c, err := r.Cookie(loginCookie); err == nil {
		nonce, _ = s.signer.verify(purposeLogin+"-cookie", c.Value)
	}
	if nonce == "" {
		nonce = randomToken()
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: s.signer.sign(purposeLogin+"-cookie", nonce, loginTTL),
			Path: "/login", MaxAge: int(loginTTL / time.Second), HttpOnly: true,
			Secure: s.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	}
	return s.signer.sign(purposeLogin, nonce, loginTTL)
}

// validLoginCSRF reports whether the login form's token is signed, not
// expired and bound to this browser's nonce cookie.
func (s *Server) validLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil {
		return false
	}
	nonce, ok := s.signer.verify(purposeLogin+"-cookie", c.Value)
	if !ok {
		return false
	}
	got, ok := s.signer.verify(purposeLogin, r.PostFormValue(csrfField))
	return ok && got == nonce
}

// rememberDevice gives the browser a signed cookie saying that it logged
// in as user, and records the device in the store (shared: every replica
// then knows it); later logins from it are throttled on their own (see
// throttleKeys). A store that fails leaves the browser unknown, which
// only means the stricter throttle keys.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, user string) {
	id := randomToken()
	if old, ok := s.knownDevice(r, user); ok {
		id = old
	}
	expires := s.devices.now().Add(deviceTTL)
	if err := s.store.RememberDevice(r.Context(), id, user, expires); err != nil {
		s.log.Warn("known device not recorded", "user", user, "error", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: s.devices.sign(purposeDevice, id+"|"+user, deviceTTL),
		Path: "/login", MaxAge: int(deviceTTL / time.Second), HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
}

// knownDevice returns the device id of the request's known-device cookie
// when it was issued for user and the store still knows it.
func (s *Server) knownDevice(r *http.Request, user string) (string, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return "", false
	}
	payload, ok := s.devices.verify(purposeDevice, c.Value)
	if !ok {
		return "", false
	}
	id, name, found := strings.Cut(payload, "|")
	if !found || name != user {
		return "", false
	}
	known, err := s.store.KnownDevice(r.Context(), id, user)
	if err != nil {
		s.log.Warn("known device not checked", "user", user, "error", err)
		return "", false
	}
	return id, known
}
