package crmsql

import (
	"context"
	"database/sql"
	"sync"

	"github.com/gwsync/gwsync/adapters"
	"github.com/hashicorp/go-hclog"
)

// Store is the crmsql sink. It is safe for concurrent use, and several
// Stores (in one process or many) may share one database file: every write
// is one IMMEDIATE transaction, and SQLite serialises them.
type Store struct {
	path           string
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
	path, err := pathFromDSN(o.DSN)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &Store{path: path, createContacts: o.CreateContacts, logger: logger}, nil
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
	db, err := openDB(ctx, s.path)
	if err != nil {
		return nil, err
	}
	s.db = db
	return db, nil
}

// Info opens the store and describes it. Errors: InvalidConfig when the
// file cannot be opened or its schema is newer than this build; Temporary
// when the database stays locked.
func (s *Store) Info(ctx context.Context) (adapters.Info, error) {
	if _, err := s.conn(ctx); err != nil {
		return adapters.Info{}, err
	}
	return adapters.Info{
		Name:         "crmsql",
		Version:      schemaVersionText(),
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

// String names the store for logs.
func (s *Store) String() string { return "crmsql(" + s.path + ")" }

var _ adapters.Sink = (*Store)(nil)
