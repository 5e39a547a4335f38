package crmsql

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite primary result codes that mean "another writer holds the lock".
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// dbError gives a database error its code and names the database:
// "crmsql LABEL: op: ...", with any password cut out of the text.
// Temporary when the database stayed locked past the busy timeout (SQLite:
// another process was writing), when PostgreSQL could not be reached or
// went away (a restart), or when a transaction lost a deadlock or
// serialization race after its retries; InvalidConfig when PostgreSQL
// refuses the login, the database does not exist or the user may not
// create the schema; Unknown otherwise (a cancelled context keeps its
// identity for errors.Is). dbError(op, nil) is nil.
func (t *target) dbError(op string, err error) error {
	if err == nil {
		return nil
	}
	msg := "crmsql " + t.label + ": " + op
	err = redact(err, t.secrets)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return adapters.Wrap(adapters.CodeUnknown, err, msg)
	case isLocked(err):
		return adapters.Wrap(adapters.CodeTemporary, err, msg+": database is locked")
	case isRetryable(err):
		return adapters.Wrap(adapters.CodeTemporary, err, msg+": lost a race with another writer")
	case isConfigProblem(err):
		return adapters.Wrap(adapters.CodeInvalidConfig, err, msg)
	case isUnreachable(err):
		return adapters.Wrap(adapters.CodeTemporary, err, msg+": database unreachable")
	}
	return adapters.Wrap(adapters.CodeUnknown, err, msg)
}

func isLocked(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	return pgCode(err) == "55P03" // lock_not_available
}

// isRetryable reports a PostgreSQL transaction that lost to a concurrent
// one and may simply run again: serialization_failure, deadlock_detected.
func isRetryable(err error) bool {
	c := pgCode(err)
	return c == "40001" || c == "40P01"
}

// isConfigProblem reports what no retry heals: a refused login (28...),
// a database that does not exist, a missing privilege.
func isConfigProblem(err error) bool {
	c := pgCode(err)
	return strings.HasPrefix(c, "28") || c == "3D000" || c == "42501" || c == "3F000"
}

// isUnreachable reports a server that cannot be reached or went away
// (restarting, shutting down, too many connections): worth a retry.
func isUnreachable(err error) bool {
	c := pgCode(err)
	if strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || c == "53300" {
		return true
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "conn closed") ||
		strings.Contains(err.Error(), "unexpected EOF")
}

// pgCode is the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// redact hides secrets in err's text. The result still unwraps to err for
// errors.Is and errors.As, but whoever prints it sees no password.
func redact(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	text := err.Error()
	if redactText(text, secrets) == text {
		return err
	}
	return &redactedError{err: err, secrets: secrets}
}

func redactText(s string, secrets []string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "xxxxx")
		}
	}
	return s
}

type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string { return redactText(e.err.Error(), e.secrets) }
func (e *redactedError) Unwrap() error { return e.err }
