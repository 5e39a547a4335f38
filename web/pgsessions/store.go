// Package pgsessions keeps the web client's shared state in PostgreSQL
// (web.SessionStore): sessions, the login throttle's counters and the
// known devices, so that `gwsync serve` replicas behind a load balancer
// answer any request without sticky sessions. Its tables live in a
// namespace of their own (web_*), made by its own numbered migrations
// (migrations/). It is used when the state store is PostgreSQL.
package pgsessions

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/web"
)

// Options tune a Store; zero values take the defaults.
type Options struct {
	// Idle is how long an unused session lives; default web.SessionIdle.
	Idle time.Duration
	// Clock is the time of every expiry; default time.Now. Replicas'
	// clocks must agree within seconds (NTP), which is far below every
	// duration kept here.
	Clock func() time.Time
}

// Store is a web.SessionStore in PostgreSQL. Safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	ownPool bool
	idle    time.Duration
	now     func() time.Time

	sweepMu sync.Mutex
	swept   time.Time
}

// New uses pool; it touches nothing (Migrate makes the tables, Open
// does both). The pool stays the caller's.
func New(pool *pgxpool.Pool, o Options) *Store {
	if o.Idle <= 0 {
		o.Idle = web.SessionIdle
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Store{pool: pool, idle: o.Idle, now: o.Clock}
}

// Open is New and Migrate.
func Open(ctx context.Context, pool *pgxpool.Pool, o Options) (*Store, error) {
	s := New(pool, o)
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenDSN opens a pool of its own for dsn (postgres://…), then Open;
// Close closes that pool. Errors quote the DSN without its password.
func OpenDSN(ctx context.Context, dsn string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("web sessions: %s: %w", redact(dsn), err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("web sessions: %s: %w", redact(dsn), err)
	}
	s, err := Open(ctx, pool, o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// Close closes the pool when OpenDSN opened it; a pool passed in is left
// to its owner.
func (s *Store) Close() {
	if s.ownPool {
		s.pool.Close()
	}
}

// hashOf is how ids and throttle keys are stored: a reader of the
// database cannot use a hashed session id as a cookie.
func hashOf(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

// CreateSession saves a new session, seen now. Errors: the database's.
func (s *Store) CreateSession(ctx context.Context, ss web.StoredSession) error {
	s.sweep(ctx)
	now := s.now()
	secrets := ss.Secrets
	if secrets == nil {
		secrets = map[string]string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, user_name, csrf, created, seen, expires, secrets, wizard)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, hashOf(ss.ID), ss.User, ss.CSRF, now, now.Add(s.idle), secrets, ss.Wizard)
	if err != nil {
		return fmt.Errorf("web sessions: creating a session of %s: %w", ss.User, err)
	}
	return nil
}

// LookupSession returns the live session and moves its expiry on. Errors:
// the database's.
func (s *Store) LookupSession(ctx context.Context, id string) (web.StoredSession, bool, error) {
	now := s.now()
	out := web.StoredSession{ID: id}
	err := s.pool.QueryRow(ctx, `UPDATE web_sessions SET seen = $2, expires = $3
		WHERE id_hash = $1 AND expires > $2
		RETURNING user_name, csrf, created, seen, secrets, wizard`, hashOf(id), now, now.Add(s.idle)).
		Scan(&out.User, &out.CSRF, &out.Created, &out.Seen, &out.Secrets, &out.Wizard)
	if errors.Is(err, pgx.ErrNoRows) {
		return web.StoredSession{}, false, nil
	}
	if err != nil {
		return web.StoredSession{}, false, fmt.Errorf("web sessions: looking up a session: %w", err)
	}
	return out, true, nil
}

// EndSession deletes the session. Errors: the database's.
func (s *Store) EndSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, hashOf(id)); err != nil {
		return fmt.Errorf("web sessions: ending a session: %w", err)
	}
	return nil
}

// SetSessionSecrets stores the session's typed passwords as given (the
// web client hands them over sealed: Shared is true). Errors: the
// database's.
func (s *Store) SetSessionSecrets(ctx context.Context, id string, secrets map[string]string) error {
	if secrets == nil {
		secrets = map[string]string{}
	}
	if _, err := s.pool.Exec(ctx, `UPDATE web_sessions SET secrets = $2 WHERE id_hash = $1`, hashOf(id), secrets); err != nil {
		return fmt.Errorf("web sessions: storing typed passwords: %w", err)
	}
	return nil
}

// SetSessionWizard records the session's wizard run. Errors: the
// database's.
func (s *Store) SetSessionWizard(ctx context.Context, id, wizard string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE web_sessions SET wizard = $2 WHERE id_hash = $1`, hashOf(id), wizard); err != nil {
		return fmt.Errorf("web sessions: recording the wizard run: %w", err)
	}
	return nil
}

// CountSessions counts the live sessions. Errors: the database's.
func (s *Store) CountSessions(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM web_sessions WHERE expires > $1`, s.now()).Scan(&n); err != nil {
		return 0, fmt.Errorf("web sessions: counting sessions: %w", err)
	}
	return n, nil
}

// Shared is true: every replica on the database reads the store.
func (s *Store) Shared() bool { return true }

// BeginLogin counts an attempt on every key in one transaction that
// holds the keys' rows locked (in one order, so that attempts on
// overlapping keys queue instead of deadlocking): parallel attempts on
// any replica see each other's failures before a password is checked.
// Errors: the database's.
func (s *Store) BeginLogin(ctx context.Context, keys []web.ThrottleKey) (ok bool, wait time.Duration, err error) {
	s.sweep(ctx)
	sorted := make([]web.ThrottleKey, len(keys))
	copy(sorted, keys)
	hashes := make([][]byte, len(sorted))
	byHash := map[string]web.ThrottleKey{}
	for i, k := range sorted {
		hashes[i] = hashOf(k.Key)
		byHash[string(hashes[i])] = k
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i]) < string(hashes[j]) })
	err = retryConflicts(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			ok, wait = false, 0
			now := s.now()
			if _, err := tx.Exec(ctx, `INSERT INTO web_login_throttle (key_hash)
				SELECT h FROM unnest($1::bytea[]) WITH ORDINALITY AS k(h, i) ORDER BY i
				ON CONFLICT DO NOTHING`, hashes); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT key_hash, fails, until, forget_at FROM web_login_throttle
				WHERE key_hash = ANY($1) ORDER BY key_hash FOR UPDATE`, hashes)
			if err != nil {
				return err
			}
			type entry struct {
				hash            []byte
				fails           int
				until, forgetAt time.Time
			}
			var entries []entry
			for rows.Next() {
				var e entry
				if err := rows.Scan(&e.hash, &e.fails, &e.until, &e.forgetAt); err != nil {
					rows.Close()
					return err
				}
				if !now.Before(e.forgetAt) && !now.Before(e.until) {
					e.fails = 0 // forgotten, swept or not
				}
				if now.Before(e.until) {
					wait = max(wait, e.until.Sub(now))
				}
				entries = append(entries, e)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if wait > 0 {
				return nil // nothing to write: the transaction commits the empty rows only
			}
			b := &pgx.Batch{}
			for _, e := range entries {
				rule := byHash[string(e.hash)].Rule
				fails := e.fails + 1
				until := now.Add(rule.Delay(fails))
				b.Queue(`UPDATE web_login_throttle SET fails = $2, until = $3, forget_at = $4 WHERE key_hash = $1`,
					e.hash, fails, until, now.Add(rule.Forget))
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
			ok = true
			return nil
		})
	})
	if err != nil {
		return false, 0, fmt.Errorf("web sessions: login throttle: %w", err)
	}
	return ok, wait, nil
}

// LoginSucceeded clears the keys. Errors: the database's.
func (s *Store) LoginSucceeded(ctx context.Context, keys []web.ThrottleKey) error {
	hashes := make([][]byte, len(keys))
	for i, k := range keys {
		hashes[i] = hashOf(k.Key)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_login_throttle WHERE key_hash = ANY($1)`, hashes); err != nil {
		return fmt.Errorf("web sessions: clearing the login throttle: %w", err)
	}
	return nil
}

// RememberDevice records (or renews) a known device. Errors: the
// database's.
func (s *Store) RememberDevice(ctx context.Context, id, user string, expires time.Time) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO web_known_devices (id_hash, user_name, expires) VALUES ($1, $2, $3)
		ON CONFLICT (id_hash) DO UPDATE SET user_name = EXCLUDED.user_name, expires = EXCLUDED.expires`,
		hashOf(id), user, expires); err != nil {
		return fmt.Errorf("web sessions: recording a known device of %s: %w", user, err)
	}
	return nil
}

// KnownDevice reports whether the device is remembered for user. Errors:
// the database's.
func (s *Store) KnownDevice(ctx context.Context, id, user string) (bool, error) {
	var known bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM web_known_devices
		WHERE id_hash = $1 AND user_name = $2 AND expires > $3)`, hashOf(id), user, s.now()).Scan(&known)
	if err != nil {
		return false, fmt.Errorf("web sessions: checking a known device of %s: %w", user, err)
	}
	return known, nil
}

// ForgetDevices forgets every known device of user (after a password
// change, say): their next logins are throttled like any browser's.
// Errors: the database's.
func (s *Store) ForgetDevices(ctx context.Context, user string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_known_devices WHERE user_name = $1`, user); err != nil {
		return fmt.Errorf("web sessions: forgetting the known devices of %s: %w", user, err)
	}
	return nil
}

// sweep deletes what expired, at most once a minute per process, so that
// the tables hold only live rows whatever the request rate. A failure is
// left for the next sweep: expired rows are never read as live.
func (s *Store) sweep(ctx context.Context) {
	now := s.now()
	s.sweepMu.Lock()
	if now.Sub(s.swept) < time.Minute {
		s.sweepMu.Unlock()
		return
	}
	s.swept = now
	s.sweepMu.Unlock()
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM web_sessions WHERE expires <= $1`, now)
	b.Queue(`DELETE FROM web_known_devices WHERE expires <= $1`, now)
	b.Queue(`DELETE FROM web_login_throttle WHERE forget_at <= $1 AND until <= $1`, now)
	_ = s.pool.SendBatch(ctx, b).Close()
}

// retryConflicts runs f again when PostgreSQL aborted it for a deadlock
// or a serialization failure (a few times; parallel logins on one key).
func retryConflicts(ctx context.Context, f func() error) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = f(); err == nil {
			return nil
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code != "40P01" && pe.Code != "40001") || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// redact is dsn fit for an error: a URL without its password; a
// key=value DSN may hold one anywhere, so it is not quoted.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return "the PostgreSQL DSN"
}

var _ web.SessionStore = (*Store)(nil)
