package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/gwsync/gwsync/engine/state"
)

// busyTimeoutMillis is how long a connection waits for another process's
// write lock before it reports SQLITE_BUSY. Writes are short batches, so ten
// seconds means "the other process is stuck", not "the other process is busy".
const busyTimeoutMillis = 10000

// synchronousMode is FULL: in WAL mode that costs one fsync of the WAL per
// committed transaction. NORMAL would skip it and stay corruption-free, but a
// power cut could then roll back the last commits, and a lost link is a
// duplicate CRM activity on the next run. Writes are batched (PutLinks,
// RecordItems), so the fsync is paid per batch, not per row.
const synchronousMode = "FULL"

// Store is the default state.Store: one SQLite file, safe for concurrent use by
// goroutines and by other processes opening the same file.
//
// It holds two connection pools on the file. Writes go through a pool of one
// connection, so writers of this process queue in Go (honouring their
// context) instead of spinning on SQLite's busy handler; every write
// transaction starts with BEGIN IMMEDIATE, so writers of other processes
// wait up to the busy timeout instead of failing on a lock upgrade. Reads use
// their own read-only pool and, thanks to WAL, never block on a writer — so
// the callback of a Links walk may itself write to the store.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	now    func() time.Time // the clock; tests replace it
}

// Open opens (creating if needed) the state database at path, creating
// its parent directories, and applies pending migrations.
//
// It fails if path is empty or an in-memory name, if the file is not a
// SQLite database, or if the database was migrated by a newer gwsync (the
// error wraps ErrSchemaTooNew). Errors name the path.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("state: empty database path")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		// Two pools on ":memory:" would be two different databases, and a
		// caller's URI options would fight ours.
		return nil, fmt.Errorf("state: %q: give a file path, not an in-memory name or URI", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("state: %s: create directory: %w", path, err)
	}
	s := &Store{path: abs, now: time.Now}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return s, nil
}

// open creates the pools, checks the file and migrates it. The writer
// connects first because it is the one that switches the file to WAL.
func (s *Store) open(ctx context.Context) error {
	var err error
	if s.writer, err = sql.Open("sqlite", sqliteDSN(s.path, true)); err != nil {
		return err
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	if err := s.writer.PingContext(ctx); err != nil {
		return err
	}
	migrations, err := sqliteMigrations()
	if err != nil {
		return err
	}
	if err := migrate(ctx, s.writer, migrations, s.now()); err != nil {
		return err
	}
	if s.reader, err = sql.Open("sqlite", sqliteDSN(s.path, false)); err != nil {
		return err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	s.reader.SetMaxOpenConns(readers)
	s.reader.SetMaxIdleConns(readers)
	return s.reader.PingContext(ctx)
}

// sqliteDSN is the driver's data source name for the file at abs. The path
// goes into a file: URI, escaped, so names with '?', '#' or '%' work; the
// pragmas are set on every new connection of the pool because SQLite keeps
// them per connection.
func sqliteDSN(abs string, write bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/...
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous("+synchronousMode+")")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}).String()
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes both pools. Closing the last connection checkpoints the WAL
// into the main file. Calls after the first are harmless.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}

var _ state.Store = (*Store)(nil)
