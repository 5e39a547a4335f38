package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
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
	Field string
	// Account is the source in the user's words ("mail at HOST").
	Account  string
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
		p.Sources = append(p.Sources, credentialRow{Field: "password-" + strconv.Itoa(i), Account: l.Account(),
			Username: l.Username})
	}
	v := s.viewLocked(sess, "Enter your login data", p)
	v.Nav = "sync"
	s.render(w, status, "credentials.html", v)
}

// saveCredentials keeps the typed passwords in the session (CSRF was
// checked by authed): sealed when the session store is shared with other
// replicas, as typed in this process's memory otherwise. Every missing one
// must be filled in; those given are kept even when another is missing.
func (s *Server) saveCredentials(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	empty := false
	next := maps.Clone(sess.secrets)
	var entered, refused []string
	for i, l := range s.users[sess.user].Logins {
		if _, have := sess.secrets[l.Name]; have {
			continue
		}
		pw := r.PostFormValue("password-" + strconv.Itoa(i))
		if pw == "" {
			empty = true
			continue
		}
		if msg := s.checkLogin(r.Context(), sess.user, l, pw); msg != "" {
			refused = append(refused, msg)
			continue
		}
		stored, err := s.sealSecret(pw)
		if err != nil {
			s.log.Error("typed password cannot be sealed", "user", sess.user, "source", l.Name, "error", err)
			http.Error(w, "the password could not be kept; nothing was stored", http.StatusInternalServerError)
			return
		}
		if next == nil {
			next = map[string]string{}
		}
		next[l.Name] = stored
		entered = append(entered, l.Name)
	}
	if len(entered) > 0 {
		if err := s.store.SetSessionSecrets(r.Context(), sess.id, next); err != nil {
			s.storeFailed(w, r, err)
			return
		}
		sess.secrets = next
		for _, name := range entered {
			s.log.Info("groupware password entered for this session", "user", sess.user, "source", name)
		}
	}
	if len(refused) > 0 {
		s.renderCredentialsLocked(w, http.StatusUnprocessableEntity, sess, strings.Join(refused, " "))
		return
	}
	if empty {
		s.renderCredentialsLocked(w, http.StatusUnprocessableEntity, sess, "Enter the password of every account.")
		return
	}
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
}

// dropRefusedLocked handles an error of opening or planning the user's
// job: when the groupware refused a login whose password the user typed,
// that password is forgotten and the form is shown again with msg (the
// redacted error). It reports whether it did so. An Unauthorized error
// that does not say its source (SourceError) drops every typed password,
// since any of them may be the wrong one. The store forgets them too
// (a failure there is logged: the refused password is worth nothing
// anyway). sess.mu is held.
func (s *Server) dropRefusedLocked(ctx context.Context, sess *session, err error, msg string) bool {
	if adapters.CodeOf(err) != adapters.CodeUnauthorized || len(sess.secrets) == 0 {
		return false
	}
	var se *SourceError
	if errors.As(err, &se) {
		if _, typed := sess.secrets[se.Source]; !typed {
			return false // a password from the config: the user cannot fix it here
		}
		sess.secrets = maps.Clone(sess.secrets)
		delete(sess.secrets, se.Source)
	} else {
		sess.forgetSecretsLocked()
	}
	if err := s.store.SetSessionSecrets(ctx, sess.id, sess.secrets); err != nil {
		s.log.Warn("refused password not dropped from the session store", "user", sess.user, "error", err)
	}
	sess.credErr = "The login was refused: " + msg
	return true
}

// checkLogin checks a typed password with the source's server
// (Options.CheckLogin) and returns "" when it was accepted, or what the
// page says, in the user's words: which account refused it or could not
// be reached, never a source name, an adapter or a URL, and never the
// server's own text (which may echo the password).
func (s *Server) checkLogin(ctx context.Context, user string, l LoginSource, pw string) string {
	if s.opts.CheckLogin == nil {
		return ""
	}
	err := s.opts.CheckLogin(ctx, user, l.Name, pw)
	if err == nil {
		return ""
	}
	s.log.Info("typed password not accepted", "user", user, "source", l.Name,
		"error", credentials.RedactError(err, pw).Error())
	who := l.Account()
	if l.Username != "" {
		who += " (user " + l.Username + ")"
	}
	switch adapters.CodeOf(err) {
	case adapters.CodeUnauthorized:
		return "The password for " + who + " was refused. Enter it again."
	case adapters.CodeTemporary:
		return "The password for " + who + " could not be checked: the server did not answer. Try again in a moment."
	}
	return "The password for " + who + " could not be checked: the server's settings are wrong; ask your administrator."
}

// purposeTypedPassword seals typed passwords in a shared session store.
const purposeTypedPassword = "typed-password"

// sealSecret is the form a typed password is stored in: sealed with the
// keyring when the session store is shared, as typed when it is this
// process's memory.
func (s *Server) sealSecret(plain string) (string, error) {
	if !s.store.Shared() {
		return plain, nil
	}
	return s.keys.Seal(purposeTypedPassword, []byte(plain))
}

// openSecretsLocked is what OpenJob gets: the session's typed passwords
// as typed, in a map of its own, opened only now that a run needs them.
// Errors: a password sealed with another key (a replica without the
// shared key file), naming its source; it is then dropped from the
// session, so that the credentials page asks for it again. sess.mu is
// held.
func (s *Server) openSecretsLocked(ctx context.Context, sess *session) (map[string]string, error) {
	out := make(map[string]string, len(sess.secrets))
	for name, stored := range sess.secrets {
		if !s.store.Shared() {
			out[name] = stored
			continue
		}
		plain, err := s.keys.Open(purposeTypedPassword, stored)
		if err != nil {
			sess.secrets = maps.Clone(sess.secrets)
			delete(sess.secrets, name)
			if err := s.store.SetSessionSecrets(ctx, sess.id, sess.secrets); err != nil {
				s.log.Warn("unreadable password not dropped from the session store", "user", sess.user, "error", err)
			}
			return nil, fmt.Errorf("typed password of source %s: %w", name, err)
		}
		out[name] = string(plain)
	}
	return out, nil
}

// forgetSecretsLocked drops the typed passwords. sess.mu is held.
func (sess *session) forgetSecretsLocked() {
	for k := range sess.secrets {
		delete(sess.secrets, k)
	}
	sess.secrets = nil
	sess.credErr = ""
}
