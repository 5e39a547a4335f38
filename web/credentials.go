package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// Groupware credentials that are not in the config are asked for in the
// browser, once per session.
//
// The convention: a source needs credentials from the user when its
// options have a non-empty `username` or `url` but none of `password`,
// `password_file`, `token`, `oauth_token`, `client_secret` and
// `client_secret_file`. Every adapter that logs in (imap, caldav, exchange)
// accepts a `password` option, so the password the user types is merged
// into that source's options as "password" when the job is opened
// (MergePassword). It lives only in the server-side session, in memory:
// it is never written to disk or into the config, never logged, and
// forgotten at logout and when the session expires. Scheduled runs cannot
// ask anybody, so an automatic user whose sources need credentials gets an
// error on the status page instead.

// secretOptionKeys are the options that carry a credential; one of them
// set means the config already has what the source needs.
var secretOptionKeys = []string{"password", "password_file", "token", "oauth_token", "client_secret", "client_secret_file"}

// LoginSource is one of a user's sources whose credentials are not in the
// config: the credentials page asks for its password.
type LoginSource struct {
	// Name is the source's instance name, the key of the secrets map
	// given to OpenJob.
	Name     string
	Plugin   string
	URL      string
	Username string
}

// NeedsCredentials applies the convention to a source's options JSON.
// Options that are not a JSON object need nothing here: the adapter
// reports them when it starts.
func NeedsCredentials(options json.RawMessage) bool {
	_, _, need := credentialNeed(options)
	return need
}

// LoginSourceOf returns the prompt for a source when it needs credentials
// from the user, and false when the config has them (or none are needed).
func LoginSourceOf(name, plugin string, options json.RawMessage) (LoginSource, bool) {
	url, user, need := credentialNeed(options)
	if !need {
		return LoginSource{}, false
	}
	return LoginSource{Name: name, Plugin: plugin, URL: url, Username: user}, true
}

func credentialNeed(options json.RawMessage) (url, username string, need bool) {
	var m map[string]any
	if err := json.Unmarshal(options, &m); err != nil || m == nil {
		return "", "", false
	}
	set := func(key string) bool {
		v, ok := m[key]
		if !ok || v == nil {
			return false
		}
		s, isString := v.(string)
		return !isString || strings.TrimSpace(s) != ""
	}
	for _, k := range secretOptionKeys {
		if set(k) {
			return "", "", false
		}
	}
	if !set("username") && !set("url") {
		return "", "", false
	}
	url, _ = m["url"].(string)
	username, _ = m["username"].(string)
	return url, username, true
}

// MergePassword returns a copy of options (a JSON object, or empty) with
// "password" set. options itself is not changed. The error never contains
// the password: it is only about options that are not a JSON object.
func MergePassword(options json.RawMessage, password string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if t := bytes.TrimSpace(options); len(t) > 0 && string(t) != "null" {
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, errors.New("options are not a JSON object; cannot add the password")
		}
		if m == nil {
			m = map[string]json.RawMessage{}
		}
	}
	pw, err := json.Marshal(password)
	if err != nil {
		return nil, errors.New("the password cannot be encoded")
	}
	m["password"] = pw
	out, err := json.Marshal(m)
	if err != nil {
		return nil, errors.New("the options cannot be encoded with the password")
	}
	return out, nil
}

// SourceError is how an OpenJobFunc says which source an error is about,
// so that a password the groupware refused can be asked for again. Its
// message is the wrapped error's.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// redactedMask replaces a secret in a message.
const redactedMask = "[redacted]"

// Redact returns msg with every non-empty secret replaced, for messages
// that are logged or shown: an adapter or a server may echo what it was
// given, and a password must not reach a log or a page that way.
func Redact(msg string, secrets map[string]string) string {
	for _, v := range secrets {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, redactedMask)
		}
	}
	return msg
}

// RedactError is err, or when its message holds a secret, an error with the
// redacted message and the same adapters.Code.
func RedactError(err error, secrets map[string]string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := Redact(msg, secrets); red != msg {
		return adapters.Errorf(adapters.CodeOf(err), "%s", red)
	}
	return err
}

// missingLogins are the user's sources whose password the session does
// not have yet.
func missingLogins(u User, secrets map[string]string) []LoginSource {
	var out []LoginSource
	for _, l := range u.Logins {
		if _, ok := secrets[l.Name]; !ok {
			out = append(out, l)
		}
	}
	return out
}

// loginsText lists sources for a message: "inbox (imap), work (caldav)".
func loginsText(ls []LoginSource) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s (%s)", l.Name, l.Plugin)
	}
	return strings.Join(parts, ", ")
}
