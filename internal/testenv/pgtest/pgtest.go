// Package pgtest gives each test a database of its own on the PostgreSQL
// server scripts/test.sh started (scripts/servers/postgres.sh). It lives
// apart from testenv so that only tests that use PostgreSQL link its
// driver.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gwsync/gwsync/internal/testenv"
)

// ServerDSN returns the DSN of the server's own database (GWSYNC_TEST_
// POSTGRES_DSN). Without it the test skips, or fails when the servers are
// required (testenv.Var).
func ServerDSN(t testing.TB) string {
	t.Helper()
	return testenv.Var(t, "POSTGRES_DSN")
}

// NewDatabase creates an empty database for this test and returns its DSN;
// the database is dropped when the test ends (with any connection still
// open to it).
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerDSN(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "t_" + hex.EncodeToString(b[:])
	exec(t, server, "CREATE DATABASE "+name)
	t.Cleanup(func() { exec(t, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("GWSYNC_TEST_POSTGRES_DSN: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("postgres: %s: %v", sql, err)
	}
}
