package credentials

import (
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// redactedMask replaces a secret in a message.
const redactedMask = "[redacted]"

// Redact returns msg with every non-empty secret replaced, for messages
// that are logged or shown: an adapter or a server may echo what it was
// given, and a password must not reach a log or a page that way.
func Redact(msg string, secrets ...string) string {
	for _, v := range secrets {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, redactedMask)
		}
	}
	return msg
}

// RedactError is err, or when its message holds a secret, an error with the
// redacted message and the same adapters.Code. A *SourceError keeps its
// source.
func RedactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := Redact(msg, secrets...)
	if red == msg {
		return err
	}
	out := adapters.Errorf(adapters.CodeOf(err), "%s", red)
	if se, ok := err.(*SourceError); ok {
		return &SourceError{Source: se.Source, Err: out}
	}
	return out
}
