package stores

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

	s, err := Open(ctx, "postgres://gwsync@127.0.0.1/gwsync")
	if !errors.Is(err, ErrPostgresNotBuilt) || s != nil {
		t.Errorf("Open(postgres) = %v, %v; want nil, ErrPostgresNotBuilt", s, err)
	}
	if err != nil && !strings.Contains(err.Error(), "PostgreSQL") {
		t.Errorf("postgres error %q does not say PostgreSQL", err)
	}
	s, err = Open(ctx, "mysql://127.0.0.1/x")
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
