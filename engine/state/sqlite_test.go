package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSQLiteCreatesParentDirsAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a", "b c?#%", "state.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at the given path: %v", err)
	}
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"busy_timeout": "10000",
	} {
		var got string
		if err := s.writer.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
	var readOnly string
	if err := s.reader.QueryRowContext(ctx, "PRAGMA query_only").Scan(&readOnly); err != nil || readOnly != "1" {
		t.Errorf("reader pool query_only = %q, %v; want 1", readOnly, err)
	}
}

func TestOpenSQLiteRejectsBadPaths(t *testing.T) {
	ctx := context.Background()
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory", garbage} {
		s, err := OpenSQLite(ctx, path)
		if err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q) succeeded, want error", path)
			continue
		}
		if path != "" && !strings.Contains(err.Error(), path) {
			t.Errorf("OpenSQLite(%q) error %q does not name the path", path, err)
		}
	}
	data, err := os.ReadFile(garbage)
	if err != nil || !strings.HasPrefix(string(data), "this is not a database") {
		t.Errorf("a file that is not a database was changed by a failed open")
	}
}

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

func TestCloseTwiceIsHarmless(t *testing.T) {
	s := openTest(t)
	if err := s.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
