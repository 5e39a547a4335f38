package crmsql

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema step, named NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded steps in order. A badly named file is a
// build mistake, so it panics (the package tests catch it).
func migrations() []migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	out := make([]migration, 0, len(names))
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			panic("crmsql: migration file without a version number: " + base)
		}
		body, err := migrationFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out
}

// latestVersion is the schema version this build creates.
func latestVersion() int {
	m := migrations()
	return m[len(m)-1].version
}

func schemaVersionText() string { return "schema " + strconv.Itoa(latestVersion()) }

// migrate applies the missing migrations in one IMMEDIATE transaction, so
// two processes opening a new file at once cannot both apply a step.
//
// Errors: InvalidConfig when the database carries a schema version newer
// than this build knows (an older gwsync must not write to it); Temporary
// when the database stays locked; Unknown for anything else.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return dbError("crmsql: migrate", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))`); err != nil {
		return dbError("crmsql: migrate", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return dbError("crmsql: migrate", err)
	}
	if latest := latestVersion(); current > latest {
		return adapters.Errorf(adapters.CodeInvalidConfig,
			"crmsql: the database has schema version %d, newer than this gwsync knows (%d); use a newer gwsync", current, latest)
	}
	for _, m := range migrations() {
		if m.version <= current {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return dbError(fmt.Sprintf("crmsql: migration %s", m.name), err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
			return dbError(fmt.Sprintf("crmsql: migration %s", m.name), err)
		}
	}
	return dbError("crmsql: migrate", tx.Commit())
}
