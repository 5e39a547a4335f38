package pgsessions

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key under which migrations run, so
// that replicas starting together apply each migration once. The value
// is arbitrary ("gwwebses" in ASCII) and used by nothing else.
const migrationLock int64 = 0x6777776562736573

// migration is one numbered file of migrations/.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded files in order. Errors: a file whose name
// does not start with its number, or two files with one number.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	seen := map[int]string{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("web sessions: migration %s: name must start with its number (0001_…)", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("web sessions: migrations %s and %s have one number", other, base)
		}
		seen[v] = base
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate creates or updates the store's tables: every migration not yet
// recorded in web_schema_migrations runs, all in one transaction under an
// advisory lock, so that replicas starting at once do not race. Errors
// name the migration; a database newer than this binary (a version it
// does not know) is an error too, never a silent downgrade.
func (s *Store) Migrate(ctx context.Context) error {
	list, err := migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("web sessions: migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS web_schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("web sessions: web_schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.Query(ctx, `SELECT version FROM web_schema_migrations`)
		if err != nil {
			return fmt.Errorf("web sessions: reading web_schema_migrations: %w", err)
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("web sessions: reading web_schema_migrations: %w", err)
		}
		latest := list[len(list)-1].version
		for _, v := range versions {
			applied[v] = true
			if v > latest {
				return fmt.Errorf("web sessions: the database has migration %d, this gwsync knows up to %d: run a newer gwsync", v, latest)
			}
		}
		for _, m := range list {
			if applied[m.version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("web sessions: migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO web_schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return fmt.Errorf("web sessions: recording migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}
