package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gwsync/gwsync/adapters"
)

// credentialsPath is the page that asks for the passwords the config does
// not have. Every wizard page sends the user there first while one is
// missing.
const credentialsPath = "/credentials"

type credentialsPage struct {
	Sources []credentialRow
	Error   string
}

// credentialRow is one password field. Field is "password-N", N the
// source's index in User.Logins: source names are free text, an index is
// a safe form field name.
type credentialRow struct {
	Field    string
	Name     string
	Plugin   string
	URL      string
	Username string
}

// needCredentialsLocked sends the user to the credentials page when the
// session lacks a password one of the user's sources needs, and reports
// whether it did. sess.mu is held.
func (s *Server) needCredentialsLocked(w http.ResponseWriter, r *http.Request, sess *session) bool {
	if len(missingLogins(s.users[sess.user], sess.secrets)) == 0 {
		return false
	}
	http.Redirect(w, r, credentialsPath, http.StatusSeeOther)
	return true
}

func (s *Server) credentials(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if len(missingLogins(s.users[sess.user], sess.secrets)) == 0 {
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
		return
	}
	msg := sess.credErr
	sess.credErr = ""
	s.renderCredentialsLocked(w, http.StatusOK, sess, msg)
}

// renderCredentialsLocked shows the form for the missing passwords; it
// never puts a password into the page. sess.mu is held.
func (s *Server) renderCredentialsLocked(w http.ResponseWriter, status int, sess *session, msg string) {
	p := credentialsPage{Error: msg}
	for i, l := range s.users[sess.user].Logins {
		if _, have := sess.secrets[l.Name]; have {
			continue
		}
		p.Sources = append(p.Sources, credentialRow{Field: "password-" + strconv.Itoa(i), Name: l.Name,
			Plugin: l.Plugin, URL: l.URL, Username: l.Username})
	}
	v := s.viewLocked(sess, "Enter your login data", p)
	v.Nav = "sync"
	s.render(w, status, "credentials.html", v)
}

// saveCredentials keeps the typed passwords in the session (CSRF was
// checked by authed). Every missing one must be filled in; those given
// are kept even when another is missing.
func (s *Server) saveCredentials(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	empty := false
	for i, l := range s.users[sess.user].Logins {
		if _, have := sess.secrets[l.Name]; have {
			continue
		}
		pw := r.PostFormValue("password-" + strconv.Itoa(i))
		if pw == "" {
			empty = true
			continue
		}
		if sess.secrets == nil {
			sess.secrets = map[string]string{}
		}
		sess.secrets[l.Name] = pw
		s.log.Info("groupware password entered for this session", "user", sess.user, "source", l.Name)
	}
	if empty {
		s.renderCredentialsLocked(w, http.StatusUnprocessableEntity, sess, "Enter the password of every source.")
		return
	}
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
}

// dropRefusedLocked handles an error of opening or planning the user's
// job: when the groupware refused a login whose password the user typed,
// that password is forgotten and the form is shown again with msg (the
// redacted error). It reports whether it did so. An Unauthorized error
// that does not say its source (SourceError) drops every typed password,
// since any of them may be the wrong one. sess.mu is held.
func (s *Server) dropRefusedLocked(sess *session, err error, msg string) bool {
	if adapters.CodeOf(err) != adapters.CodeUnauthorized || len(sess.secrets) == 0 {
		return false
	}
	var se *SourceError
	if errors.As(err, &se) {
		if _, typed := sess.secrets[se.Source]; !typed {
			return false // a password from the config: the user cannot fix it here
		}
		delete(sess.secrets, se.Source)
	} else {
		sess.forgetSecretsLocked()
	}
	sess.credErr = "The login was refused: " + msg
	return true
}

// secretsCopyLocked is what OpenJob gets, so that it cannot change the
// session's map. sess.mu is held.
func (sess *session) secretsCopyLocked() map[string]string {
	out := make(map[string]string, len(sess.secrets))
	for k, v := range sess.secrets {
		out[k] = v
	}
	return out
}

// forgetSecretsLocked drops the typed passwords. sess.mu is held.
func (sess *session) forgetSecretsLocked() {
	for k := range sess.secrets {
		delete(sess.secrets, k)
	}
	sess.secrets = nil
	sess.credErr = ""
}
