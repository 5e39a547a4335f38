package stores

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{
		"sqlite:" + filepath.Join(dir, "one.db"),
		"sqlite://" + filepath.Join(dir, "two.db"),
		filepath.Join(dir, "three.db"),
	} {
		s, err := Open(ctx, dsn)
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		if err := s.SetCursor(ctx, "u", "src", "c1"); err != nil {
			t.Errorf("Open(%q): store does not work: %v", dsn, err)
		}
		s.Close()
	}
	for _, name := range []string{"one.db", "two.db", "three.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not created: %v", name, err)
		}
	}

	s, err := Open(ctx, "mysql://127.0.0.1/x")
	if err == nil || s != nil || !strings.Contains(err.Error(), "mysql") {
		t.Errorf("Open(mysql) = %v, %v; want an error naming the scheme", s, err)
	}
	if s, err := Open(ctx, ""); err == nil || s != nil {
		t.Errorf("Open(\"\") = %v, %v; want error", s, err)
	}
}

// A DSN quoted in an error never carries its password.
func TestUnknownSchemeHidesThePassword(t *testing.T) {
	_, err := Open(context.Background(), "mysql://crm:s3cret-pw@127.0.0.1/state")
	if err == nil || strings.Contains(err.Error(), "s3cret-pw") || !strings.Contains(err.Error(), "mysql") {
		t.Fatalf("Open: %v; want an error naming the scheme without the password", err)
	}
}

// postgres:// and postgresql:// open the PostgreSQL store.
func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	for _, d := range []string{dsn, "postgresql" + strings.TrimPrefix(dsn, "postgres")} {
		s, err := Open(ctx, d)
		if err != nil {
			t.Fatalf("Open(%s): %v", d, err)
		}
		if err := s.SetCursor(ctx, "u", "src", "c1"); err != nil {
			t.Errorf("store does not work: %v", err)
		}
		if c, _ := s.Cursor(ctx, "u", "src"); c != "c1" {
			t.Errorf("cursor = %q; the two schemes open different stores", c)
		}
		s.Close()
	}
}

// A server that cannot be reached is an error naming host:port/db, never
// the password.
func TestOpenPostgresUnreachableHidesThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, "postgres://gwsync:s3cret-pw@127.0.0.1:1/statedb?connect_timeout=5")
	if err == nil || s != nil {
		t.Fatalf("Open(unreachable) = %v, %v; want an error", s, err)
	}
	if msg := err.Error(); strings.Contains(msg, "s3cret-pw") || !strings.Contains(msg, "127.0.0.1:1/statedb") {
		t.Errorf("error %q: want host:port/db without the password", msg)
	}
}
