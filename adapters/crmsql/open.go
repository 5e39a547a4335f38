package crmsql

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMillis is how long a writer waits for another writer (another
// gwsync process, or a person in sqlite3) before giving up with Temporary.
// A variable only so that the package's tests can shorten it.
var busyTimeoutMillis = 10000

// open opens the target's database and brings its schema up to date.
// Errors: see openSQLite and openPostgres.
func (t *target) open(ctx context.Context) (*sql.DB, error) {
	if t.dialect == postgresDialect {
		return t.openPostgres(ctx)
	}
	return t.openSQLite(ctx)
}

// Bounds of a Store's PostgreSQL connection pool. A listing holds one
// connection while the engine writes through others, so a Store needs a
// few; a worker shares one Store among all its concurrent runs (and a
// plugin process one per CRM configuration), so the server's connection
// count stays bounded by processes x pgMaxConns. Idle connections are
// kept as long as pgIdleTimeout: closing one on return and opening the
// next (a new server process and a SCRAM login, milliseconds of CPU on
// both sides) took 9 % of a worker's CPU in bench/scale at 1,000 users.
const (
	pgMaxConns    = 8
	pgMaxIdle     = pgMaxConns
	pgIdleTimeout = time.Minute
)

// openPostgres connects (the schema option becomes the connections'
// search_path) and migrates under an advisory lock.
//
// Errors: InvalidConfig when the login is refused, the database does not
// exist, the user may not create the schema, or the schema is newer than
// this build; Temporary when the server cannot be reached; every error
// names host:port/db and never the password.
func (t *target) openPostgres(ctx context.Context) (*sql.DB, error) {
	cfg := t.pg.Copy()
	genericPlans(cfg)
	if t.schema != "" {
		// pg_catalog first is what PostgreSQL does anyway; our schema is
		// then where unqualified names are created and found.
		cfg.RuntimeParams["search_path"] = pgx.Identifier{t.schema}.Sanitize()
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxIdle)
	db.SetConnMaxIdleTime(pgIdleTimeout)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, t.dbError("connect", err)
	}
	if err := t.migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// genericPlans makes the connections reuse one plan per prepared statement
// (plan_cache_mode = force_generic_plan), unless the DSN chose a
// plan_cache_mode of its own. Each of crmsql's statements goes through an
// index whatever its values, so a plan made for the values at hand is no
// better than the kept one. But PostgreSQL's default (auto) switched
// between the two from run to run, and in some runs of the scale benchmark
// planned the change listing on every call (0.06 ms, against 0.08 ms to
// run it). The setting is the session's: only crmsql's connections have it.
func genericPlans(c *pgx.ConnConfig) {
	if _, set := c.RuntimeParams["plan_cache_mode"]; !set {
		c.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
}

// openSQLite opens the database file at path, creating its parent directories,
// and brings its schema up to date. Every connection gets WAL (readers do
// not block the writer), a busy timeout, foreign keys, and IMMEDIATE
// transactions, so that two writers queue up instead of failing with
// SQLITE_BUSY when one upgrades a read lock.
//
// Errors: InvalidConfig when the directory or file cannot be created or
// opened, or the schema is newer than this build; otherwise the migration
// error (Temporary when the database stays locked).
func (t *target) openSQLite(ctx context.Context) (*sql.DB, error) {
	path := t.path
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "crmsql: option dsn: cannot create the directory of "+path)
		}
	}
	db, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "crmsql: option dsn: cannot open "+path)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "crmsql: option dsn: cannot open "+path)
	}
	if err := t.migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// fileURI makes the driver's DSN for a path. The path is written as an
// SQLite URI so that a '?' or '#' in a file name stays part of the name.
func fileURI(path string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	if strings.HasPrefix(escaped, "//") {
		escaped = "/" + strings.TrimLeft(escaped, "/") // "//x" would read as a URI authority
	}
	return "file:" + escaped +
		"?_pragma=busy_timeout(" + strconv.Itoa(busyTimeoutMillis) + ")" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_txlock=immediate"
}
