package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// appliedMigrations lists schema_migrations as version → applied_at.
func appliedMigrations(t *testing.T, db *sql.DB) map[int]string {
	t.Helper()
	rows, err := db.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	return out
}

func TestEmbeddedMigrationsAreNumberedWithoutGaps(t *testing.T) {
	list, err := sqliteMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].Name != "0001_init.sql" {
		t.Fatalf("migrations = %+v, want 0001_init.sql first", list)
	}
}

func TestReopenAppliesNothingTwice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "u", "src", "kept"); err != nil {
		t.Fatal(err)
	}
	first := appliedMigrations(t, s.writer)
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	second := appliedMigrations(t, s.writer)
	list, _ := sqliteMigrations()
	if len(second) != len(list) {
		t.Fatalf("after reopen %d migrations recorded, want %d", len(second), len(list))
	}
	for v, at := range first {
		if second[v] != at {
			t.Errorf("migration %d re-applied: applied_at %q then %q", v, at, second[v])
		}
	}
	if c, err := s.Cursor(ctx, "u", "src"); err != nil || c != "kept" {
		t.Errorf("data after reopen: cursor %q, %v; want kept", c, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("an older binary opened a newer database")
	}
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "999") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q: want ErrSchemaTooNew naming version 999 and the path", err)
	}
}

func TestMigrateAppliesOnlyNewStepsAndRollsBackAFailingOne(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "m.db"), true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	v1 := []migration{{1, "0001_a.sql", `CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`}}
	if err := migrate(ctx, db, v1, now); err != nil {
		t.Fatal(err)
	}
	v2 := append(v1, migration{2, "0002_b.sql", `INSERT INTO a VALUES (2);`})
	if err := migrate(ctx, db, v2, now); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, v2, now); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows in a = %d, %v; want 2 (each migration once)", n, err)
	}

	// Version 3 inserts a row and then fails: the insert must be rolled back
	// and the version not recorded.
	v3 := append(v2, migration{3, "0003_broken.sql", `INSERT INTO a VALUES (3); INSERT INTO no_such_table VALUES (1);`})
	err = migrate(ctx, db, v3, now)
	if err == nil || !strings.Contains(err.Error(), "0003_broken.sql") {
		t.Fatalf("broken migration: err = %v, want an error naming it", err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows in a after failed migration = %d, %v; want 2", n, err)
	}
	if v, err := schemaVersion(ctx, db); err != nil || v != 2 {
		t.Errorf("schema version after failed migration = %d, %v; want 2", v, err)
	}
}
