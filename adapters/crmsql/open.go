package crmsql

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMillis is how long a writer waits for another writer (another
// gwsync process, or a person in sqlite3) before giving up with Temporary.
// A variable only so that the package's tests can shorten it.
var busyTimeoutMillis = 10000

// openDB opens the database file at path, creating its parent directories,
// and brings its schema up to date. Every connection gets WAL (readers do
// not block the writer), a busy timeout, foreign keys, and IMMEDIATE
// transactions, so that two writers queue up instead of failing with
// SQLITE_BUSY when one upgrades a read lock.
//
// Errors: InvalidConfig when the directory or file cannot be created or
// opened, or the schema is newer than this build; otherwise the migration
// error (Temporary when the database stays locked).
func openDB(ctx context.Context, path string) (*sql.DB, error) {
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
	if err := migrate(ctx, db); err != nil {
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
