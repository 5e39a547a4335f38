// Package stores opens the state store a DSN names. It is the one place
// that links the implementations, so the engine and engine/state link
// no database driver.
package stores

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// Open opens the store a DSN names:
//
//	sqlite:PATH, sqlite://PATH   the SQLite file at PATH
//	PATH                         the same, when PATH has no "scheme:" prefix
//	postgres://..., postgresql://... the PostgreSQL database (pgx DSN;
//	                             see engine/state/postgres)
//
// A path that itself looks like "name:rest" must be written as sqlite:PATH
// (or ./name:rest). Unknown schemes and an empty DSN are errors.
func Open(ctx context.Context, dsn string) (state.Store, error) {
	scheme, rest, hasScheme := strings.Cut(dsn, ":")
	if !hasScheme || !isSchemeName(scheme) {
		return openSQLiteStore(ctx, dsn)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return openSQLiteStore(ctx, strings.TrimPrefix(rest, "//"))
	case "postgres", "postgresql":
		return openPostgresStore(ctx, dsn)
	default:
		return nil, fmt.Errorf("state: unknown store %q in %q (want sqlite:PATH or postgres://…)", scheme, redactDSN(dsn))
	}
}

// openSQLiteStore returns a nil interface, not a nil *sqlite.Store, on error.
func openSQLiteStore(ctx context.Context, path string) (state.Store, error) {
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openPostgresStore returns a nil interface, not a nil *postgres.Store, on
// error.
func openPostgresStore(ctx context.Context, dsn string) (state.Store, error) {
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// isSchemeName reports whether s can be a URI scheme: a letter, then
// letters, digits, '+', '-' or '.'. A single letter is not taken as a scheme
// so that Windows paths like C:\state.db stay paths.
func isSchemeName(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// redactDSN hides a password in a DSN that is quoted in an error (a
// mistyped scheme still carries the real password).
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
