package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrSchemaTooNew is returned (wrapped) when the database was migrated by a
// newer gwsync than this one: running on would write rows the newer schema
// does not expect, so the store refuses to open instead.
var ErrSchemaTooNew = errors.New("state database schema is newer than this gwsync")

// migrationLockKey is the advisory lock all gwsync processes take while
// migrating: the first one migrates, the others wait and then find nothing
// left to do. ("gwsync-m" in ASCII, so it is recognisable in pg_locks.)
const migrationLockKey int64 = 0x677773796e632d6d

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step. Version is the number the file name starts
// with; versions are 1, 2, 3, ... with no gaps.
type migration struct {
	Version int
	Name    string
	SQL     string
}

// migrations returns the embedded migrations in order. It fails only if
// the embedded files are misnamed, which every test catches.
func migrations() ([]migration, error) {
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

// migrate brings the database up to the last embedded migration, in one
// transaction that first takes migrationLockKey: either every pending step
// and its schema_migrations row commit, or none. Processes that start
// together queue on the lock, so each step runs once.
//
// A database at a higher version than this binary knows returns an error
// wrapping ErrSchemaTooNew.
func migrate(ctx context.Context, pool *pgxpool.Pool, now time.Time) error {
	list, err := migrations()
	if err != nil {
		return err
	}
	return applyMigrations(ctx, pool, list, now)
}

// applyMigrations is migrate over a given list (tests pass their own).
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, list []migration, now time.Time) error {
	// The usual case, a database up to date, costs one query: no
	// transaction, no lock that every process opening the store would
	// queue on. A missing table (42P01) or an older version goes on to
	// the locked path below, which checks again.
	var current int
	err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current)
	var pgErr *pgconn.PgError
	switch {
	case err == nil && current > len(list):
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade gwsync", ErrSchemaTooNew, current, len(list))
	case err == nil && current == len(list):
		return nil
	case err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P01"):
		return fmt.Errorf("read schema version: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(list) {
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade gwsync", ErrSchemaTooNew, current, len(list))
	}
	if current == len(list) {
		return nil // the usual case: nothing to do, and nothing to commit
	}
	for _, m := range list[current:] {
		if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, now.UTC().Truncate(time.Second)); err != nil {
			return fmt.Errorf("migration %s: record version: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
