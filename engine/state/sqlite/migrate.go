package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrSchemaTooNew is returned (wrapped) when the database was migrated by a
// newer gwsync than this one: running on would write rows the newer schema
// does not expect, so the store refuses to open instead.
var ErrSchemaTooNew = errors.New("state database schema is newer than this gwsync")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step. Version is the number the file name starts
// with ("0002_runs_index.sql" is version 2); versions are 1, 2, 3, ... with no
// gaps, so "the database is at version N" means exactly which SQL ran.
type migration struct {
	Version int
	Name    string
	SQL     string
}

// sqliteMigrations returns the embedded migrations in order. It fails only
// if the embedded files are misnamed, which is a build mistake that every
// test catches.
func sqliteMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a version number and '_'", base)
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		list = append(list, migration{Version: version, Name: base, SQL: string(text)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	for i, m := range list {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must be 1, 2, 3, ... without gaps)", m.Name, i+1)
		}
	}
	return list, nil
}

// migrate brings db up to the last of migrations. Each migration runs in its
// own transaction together with its schema_migrations row, so a failing
// migration leaves the database at the previous version, never half-way.
// The version is re-read inside each transaction (which takes the write lock
// at BEGIN, see the _txlock DSN option), so two processes opening a new file
// at once apply every migration exactly once.
//
// A database at a higher version than len(migrations) returns an error
// wrapping ErrSchemaTooNew.
func migrate(ctx context.Context, db *sql.DB, migrations []migration, now time.Time) error {
	// The usual case, a file up to date, costs one query.
	latest := len(migrations)
	if current, err := schemaVersion(ctx, db); err == nil && current == latest {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > latest {
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade gwsync", ErrSchemaTooNew, current, latest)
	}
	for _, m := range migrations[current:] {
		if err := applyMigration(ctx, db, m, now); err != nil {
			return err
		}
	}
	return nil
}

// schemaVersion is the highest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// applyMigration runs one migration unless another process got there first.
func applyMigration(ctx context.Context, db *sql.DB, m migration, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback() // no-op after Commit
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current >= m.Version {
		return nil // applied meanwhile by another process
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, formatTime(now)); err != nil {
		return fmt.Errorf("migration %s: record version: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}
