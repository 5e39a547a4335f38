// Package credentials holds the "needs a password" rule and secret
// redaction that every front-end shares (the CLI prompt, the web client's
// credentials page, the opener that merges a typed password). It reads
// the options each adapter declares at registration (adapters.Option), so
// no front-end keeps its own list of secret option names.
//
// The rule: a source needs credentials from the user when one of its Login
// options (username, url) is set and none of its Secret or SecretFile
// options (password, password_file, token, ...) is, and it declares a
// `password` option to take the typed password (MergePassword). The
// password lives in memory only; it is never written, logged or put into
// an error (Redact).
package credentials

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// passwordOption is where a typed password goes.
const passwordOption = "password"

// convention is what an adapter that declares no options is assumed to
// have: an external plugin cannot declare options over the wire, and the
// built-ins that log in all follow these names.
var convention = []adapters.Option{
	{Name: "url", Login: true},
	{Name: "username", Login: true},
	{Name: "password", Secret: true},
	{Name: "password_file", SecretFile: true},
	{Name: "token", Secret: true},
	{Name: "oauth_token", Secret: true},
	{Name: "client_secret", Secret: true},
	{Name: "client_secret_file", SecretFile: true},
}

// Declared returns the options plugin declares at registration, or the
// convention for a plugin that is not built in or declares none.
func Declared(plugin string) []adapters.Option {
	if r, ok := adapters.Lookup(plugin); ok && len(r.Options) > 0 {
		return r.Options
	}
	return convention
}

// Login is one source whose credentials are not in the config: the CLI
// and the web client ask for its password.
type Login struct {
	// Name is the source's instance name, the key of the typed secrets.
	Name     string
	Plugin   string
	URL      string
	Username string
}

// NeedsPassword applies the rule to a source's options JSON. Options that
// are not a JSON object need nothing here: the adapter reports them when
// it starts.
func NeedsPassword(plugin string, options json.RawMessage) bool {
	_, need := LoginOf("", plugin, options)
	return need
}

// LoginOf returns the prompt for a source when it needs credentials from
// the user, and false when the config has them (or none are needed).
func LoginOf(name, plugin string, options json.RawMessage) (Login, bool) {
	m := objectOf(options)
	if m == nil {
		return Login{}, false
	}
	login, takesPassword := false, false
	for _, o := range Declared(plugin) {
		switch {
		case (o.Secret || o.SecretFile) && isSet(m[o.Name]):
			return Login{}, false
		case o.Login && isSet(m[o.Name]):
			login = true
		}
		takesPassword = takesPassword || o.Name == passwordOption
	}
	if !login || !takesPassword {
		return Login{}, false
	}
	l := Login{Name: name, Plugin: plugin}
	l.URL, _ = m["url"].(string)
	l.Username, _ = m["username"].(string)
	return l, true
}

// SecretValues returns the values of the Secret options set in a source's
// options: what must be redacted from anything about that source.
func SecretValues(plugin string, options json.RawMessage) []string {
	m := objectOf(options)
	var out []string
	for _, o := range Declared(plugin) {
		if s, ok := m[o.Name].(string); ok && o.Secret && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func objectOf(options json.RawMessage) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(options, &m); err != nil {
		return nil
	}
	return m
}

// isSet: present, not null, and not an empty string (an env reference
// that expanded to nothing is no credential).
func isSet(v any) bool {
	if v == nil {
		return false
	}
	s, isString := v.(string)
	return !isString || strings.TrimSpace(s) != ""
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
	m[passwordOption] = pw
	out, err := json.Marshal(m)
	if err != nil {
		return nil, errors.New("the options cannot be encoded with the password")
	}
	return out, nil
}

// SourceError is how opening a user's sources says which source an error
// is about, so that a password the groupware refused can be asked for
// again. Its message is the wrapped error's.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }
