package web

import (
	"fmt"
	"strings"

	"github.com/gwsync/gwsync/adapters/credentials"
)

// Groupware credentials that are not in the config are asked for in the
// browser, once per session. Which sources need them is the rule of
// adapters/credentials, which the command line's prompt shares; the
// password the user types is merged into that source's options when the
// job is opened (credentials.MergePassword). It lives in the server-side
// session: in memory with the default store, sealed with the keyring
// ("typed-password") in a shared store (SessionStore.Shared), opened only
// when a run needs it. It is never written in plain text to disk or into
// the config, never logged, and forgotten at logout and when the session
// expires. Scheduled runs cannot ask anybody, so an automatic user whose
// sources need credentials gets an error on the status page instead.

// LoginSource is one of a user's sources whose credentials are not in the
// config: the credentials page asks for its password.
type LoginSource = credentials.Login

// SourceError is how an OpenJobFunc says which source an error is about,
// so that a password the groupware refused can be asked for again.
type SourceError = credentials.SourceError

// Redact returns msg with every typed secret replaced (credentials.Redact).
func Redact(msg string, secrets map[string]string) string {
	return credentials.Redact(msg, values(secrets)...)
}

// RedactError is err with every typed secret redacted, keeping its
// adapters.Code (credentials.RedactError).
func RedactError(err error, secrets map[string]string) error {
	return credentials.RedactError(err, values(secrets)...)
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
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
