package crmsql

import (
	"context"
	"database/sql"
	"sync"

	"github.com/gwsync/gwsync/adapters"
	"github.com/hashicorp/go-hclog"
)

// Store is the crmsql sink. It is safe for concurrent use, and several
// Stores (in one process or many) may share one database: on SQLite every
// write is one IMMEDIATE transaction, and SQLite serialises them; on
// PostgreSQL writers run side by side, a key is created once (its unique
// index), and a transaction that loses a deadlock runs again.
type Store struct {
	target
	createContacts bool
	logger         hclog.Logger

	mu sync.Mutex
	db *sql.DB // nil until the first call, and again after Close
}

// New builds a Store from an adapter config without touching the disk.
// Errors: InvalidConfig for an unknown option or a missing or unusable dsn.
func New(cfg adapters.Config) (*Store, error) {
	var o Options
	if err := adapters.DecodeOptions(cfg.Options, &o); err != nil {
		return nil, err
	}
	t, err := parseTarget(o.DSN, o.Schema)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &Store{target: t, createContacts: o.CreateContacts, logger: logger}, nil
}

// conn returns the open database, opening and migrating it on first use.
// A failed open is not remembered: the next call tries again, so a
// directory created meanwhile or a lock released later heals by itself.
func (s *Store) conn(ctx context.Context) (*sql.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		return s.db, nil
	}
	db, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	s.db = db
	return db, nil
}

// Info opens the store and describes it. Errors: InvalidConfig when the
// database cannot be opened (a file that cannot be created, a refused
// login) or its schema is newer than this build; Temporary when the
// database stays locked or cannot be reached.
func (s *Store) Info(ctx context.Context) (adapters.Info, error) {
	if _, err := s.conn(ctx); err != nil {
		return adapters.Info{}, err
	}
	return adapters.Info{
		Name:         "crmsql",
		Version:      schemaVersionText(s.dialect),
		Capabilities: adapters.CapabilitiesOf(s, false),
	}, nil
}

// Close closes the database. It is safe to call more than once; a later
// call on the Store opens the database again.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// String names the store for logs: the file, or host:port/db (never the
// user or password).
func (s *Store) String() string { return "crmsql(" + s.label + ")" }

var _ adapters.Sink = (*Store)(nil)
