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

// A postgres:// DSN opens the PostgreSQL store; one that cannot connect
// says which database without the password.
func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetCursor(ctx, "u", "src", "c1"); err != nil {
		t.Fatalf("store does not work: %v", err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err = Open(ctx2, "postgresql://gwsync:hunter2@127.0.0.1:1/gwsync?connect_timeout=2")
	if err == nil || s != nil {
		t.Fatalf("Open(unreachable) = %v, %v", s, err)
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "127.0.0.1:1/gwsync") {
		t.Errorf("error %q: want the database named, without the password", err)
	}
}
