// Package postgres is the PostgreSQL implementation of state.Store, for
// deployments where several processes (CLI runs, web replicas, workers)
// share one state. It has the meaning of the embedded SQLite store, with
// numbered migrations of its own (migrations/), and adds nothing to the
// interface but Pool (for the job queue, which shares the connections).
//
// The DSN is a pgx connection string, e.g.
//
//	postgres://gwsync:PASSWORD@db.internal:5432/gwsync?sslmode=verify-full&pool_max_conns=8
//
// pool_max_conns bounds the connections this process opens (pgxpool's
// default: the larger of 4 and the number of CPUs); search_path=SCHEMA
// keeps the tables in a schema of the operator's choice, which must exist.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/engine/state"
)

// Store is a state.Store on a PostgreSQL database, safe for concurrent use
// by goroutines and by other processes on the same database.
type Store struct {
	pool *pgxpool.Pool
	name string           // host:port/database, for errors; never the password
	now  func() time.Time // the clock of journal and link times; tests replace it
}

// Open connects to the database dsn names and applies pending migrations
// (under an advisory lock, so replicas starting at once migrate once).
//
// It fails if the DSN cannot be parsed (the error does not quote it: it may
// hold a password), if the server cannot be reached, or if the database was
// migrated by a newer gwsync (the error wraps ErrSchemaTooNew). Errors name
// the database as host:port/database.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors redact the password already; ours adds
		// nothing that could carry it.
		return nil, fmt.Errorf("state: postgres: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed pool configuration, for a caller that
// sets more than a DSN says (a test's query tracer).
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	name := DatabaseName(cfg.ConnConfig)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("state: postgres %s: %w", name, err)
	}
	s := &Store{pool: pool, name: name, now: time.Now}
	if err := migrate(ctx, pool, s.now()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("state: postgres %s: %w", name, err)
	}
	return s, nil
}

// DatabaseName is how errors name a database: host:port/database, without
// user or password.
func DatabaseName(c *pgx.ConnConfig) string {
	return net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))) + "/" + c.Database
}

// Name is the database as host:port/database.
func (s *Store) Name() string { return s.name }

// Pool is the store's connection pool, for components that should share
// its connections (the River job queue) instead of opening their own. It
// stays owned by the store: Close closes it.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool, waiting for connections in use to be returned.
// Calls after the first are harmless.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// errorf wraps err as "state: postgres HOST:PORT/DB: what: err".
func (s *Store) errorf(err error, format string, args ...any) error {
	return fmt.Errorf("state: postgres %s: %s: %w", s.name, fmt.Sprintf(format, args...), err)
}

// inTx runs fn in a transaction and commits it; what names the operation
// in errors. An error from fn is returned as is, with the name of the
// database added.
func (s *Store) inTx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.errorf(err, "%s", what)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	if err := fn(tx); err != nil {
		return fmt.Errorf("state: postgres %s: %w", s.name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.errorf(err, "%s: commit", what)
	}
	return nil
}

// errNoRows reports whether err is pgx's "no rows".
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

var _ state.Store = (*Store)(nil)
