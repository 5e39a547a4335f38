package crmsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/jackc/pgx/v5"
)

// Each database has its own numbered migrations, in
// migrations/<dialect.name>/NNNN_what.sql; both build the tables of
// docs/crm-schema.md.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one embedded schema step, named NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded steps of a dialect in order. A badly
// named file is a build mistake, so it panics (the package tests catch it).
func migrations(d *dialect) []migration {
	dir := "migrations/" + d.name + "/"
	names, err := fs.Glob(migrationFiles, dir+"*.sql")
	if err != nil {
		panic(err)
	}
	out := make([]migration, 0, len(names))
	for _, n := range names {
		base := strings.TrimPrefix(n, dir)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			panic("crmsql: migration file without a version number: " + n)
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

// latestVersion is the schema version this build creates on d.
func latestVersion(d *dialect) int {
	m := migrations(d)
	return m[len(m)-1].version
}

func schemaVersionText(d *dialect) string { return "schema " + strconv.Itoa(latestVersion(d)) }

// migrate applies the missing migrations in one transaction, so two
// processes opening a new database at once cannot both apply a step: on
// SQLite the transaction is IMMEDIATE (it holds the write lock from its
// start); on PostgreSQL it first takes an advisory lock of the schema, so
// replicas starting together wait for the first one's migration, then find
// nothing to do.
//
// SQLite migrations run with foreign keys off (a table rebuild drops and
// recreates a parent table, which would cascade), and the transaction is
// committed only when PRAGMA foreign_key_check finds nothing.
//
// Errors: InvalidConfig when the database carries a schema version newer
// than this build knows (an older gwsync must not write to it), or a
// schema_migrations table that another application wrote; otherwise as
// for dbError.
func (t *target) migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return t.dbError("migrate", err)
	}
	defer conn.Close()
	if t.dialect == sqliteDialect {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return t.dbError("migrate", err)
		}
	}
	if err := t.migrateTx(ctx, conn); err != nil {
		if t.dialect == sqliteDialect {
			// The caller closes the database; no pooled connection keeps
			// foreign keys off.
			_ = conn.Raw(func(any) error { return errBadConn })
		}
		return err
	}
	if t.dialect == sqliteDialect {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`); err != nil {
			_ = conn.Raw(func(any) error { return errBadConn })
			return t.dbError("migrate", err)
		}
	}
	return nil
}

// errBadConn tells database/sql to drop a connection instead of pooling it.
var errBadConn = driver.ErrBadConn

func (t *target) migrateTx(ctx context.Context, conn *sql.Conn) error {
	d := t.dialect
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return t.dbError("migrate", err)
	}
	defer tx.Rollback()
	if d == postgresDialect {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey(t.schema)); err != nil {
			return t.dbError("migrate: waiting for another process's migration", err)
		}
		if t.schema != "" {
			if _, err := tx.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{t.schema}.Sanitize()); err != nil {
				return t.dbError("migrate: create schema "+t.schema, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, d.migrationsTable); err != nil {
		return t.dbError("migrate", err)
	}
	applied := map[int]string{}
	rows, err := tx.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return t.dbError("migrate", err)
	}
	current := 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			rows.Close()
			return t.dbError("migrate", err)
		}
		applied[v] = name
		current = max(current, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.dbError("migrate", err)
	}
	all := migrations(d)
	if latest := latestVersion(d); current > latest {
		return adapters.Errorf(adapters.CodeInvalidConfig,
			"crmsql %s: the database has schema version %d, newer than this gwsync knows (%d); use a newer gwsync", t.label, current, latest)
	}
	for _, m := range all {
		if name, ok := applied[m.version]; ok && name != m.name {
			return adapters.Errorf(adapters.CodeInvalidConfig,
				"crmsql %s: schema_migrations holds version %d as %q, not crmsql's %q: another application's table? Point crmsql at a schema of its own (option schema)",
				t.label, m.version, name, m.name)
		}
	}
	migrated := false
	for _, m := range all {
		if m.version <= current {
			continue
		}
		migrated = true
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return t.dbError(fmt.Sprintf("migration %s", m.name), err)
		}
		if _, err := tx.ExecContext(ctx, d.bind(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`), m.version, m.name); err != nil {
			return t.dbError(fmt.Sprintf("migration %s", m.name), err)
		}
	}
	if d == sqliteDialect && migrated {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return t.dbError("migrate", err)
		}
	}
	if d == postgresDialect {
		// A database restored into another cluster would number new
		// changes below the ones it holds (0005): raise the offset first.
		if _, err := tx.ExecContext(ctx, `SELECT activity_changes_rebase()`); err != nil {
			return t.dbError("migrate: change numbers", err)
		}
	}
	return t.dbError("migrate", tx.Commit())
}

// foreignKeyCheck fails when a row points at a parent that does not exist
// (SQLite checks nothing while foreign keys are off).
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("foreign key check: row %d of %s points at a missing row of %s; delete or fix that row with sqlite3, then start again", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// migrationLockKey is the advisory lock that serialises migrations of one
// schema ("" is the connection's default) across processes.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("gwsync/crmsql/migrate/" + schema))
	return int64(h.Sum64())
}
