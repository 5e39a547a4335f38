package web

import (
	"context"
	"maps"
	"sync"
	"time"
)

// MemoryStore is the SessionStore of a single process: sessions in a
// bounded LRU with O(1) expiry, the login throttle in a bounded map. A
// restart logs everybody out, which is what a single-process server
// should do. Typed passwords stay in memory as typed (nothing here is
// written anywhere), and the known-device cookie's signature is its only
// record: in one process there is nobody to agree with.
type MemoryStore struct {
	mu       sync.Mutex
	sessions *lru[*StoredSession]
	throttle *loginThrottle
	now      func() time.Time
}

// DefaultMaxSessions bounds the sessions kept in memory when
// Options.MaxSessions is 0.
const DefaultMaxSessions = 1000

// NewMemoryStore keeps at most max sessions (DefaultMaxSessions when max
// is 0 or less); at the cap the least recently used one ends.
func NewMemoryStore(max int) *MemoryStore {
	if max <= 0 {
		max = DefaultMaxSessions
	}
	return &MemoryStore{sessions: newLRU[*StoredSession](max, SessionIdle), throttle: newLoginThrottle(), now: time.Now}
}

// CreateSession never fails.
func (m *MemoryStore) CreateSession(_ context.Context, s StoredSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	s.Created, s.Seen = now, now
	s.Secrets = maps.Clone(s.Secrets)
	m.sessions.put(s.ID, &s, now)
	return nil
}

// LookupSession never fails; it returns a copy.
func (m *MemoryStore) LookupSession(_ context.Context, id string) (StoredSession, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	s, ok, _ := m.sessions.get(id, now)
	if !ok {
		return StoredSession{}, false, nil
	}
	s.Seen = now
	out := *s
	out.Secrets = maps.Clone(s.Secrets)
	return out, true, nil
}

// EndSession never fails.
func (m *MemoryStore) EndSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions.remove(id)
	return nil
}

// SetSessionSecrets never fails.
func (m *MemoryStore) SetSessionSecrets(_ context.Context, id string, secrets map[string]string) error {
	m.edit(id, func(s *StoredSession) { s.Secrets = maps.Clone(secrets) })
	return nil
}

// SetSessionWizard never fails.
func (m *MemoryStore) SetSessionWizard(_ context.Context, id, wizard string) error {
	m.edit(id, func(s *StoredSession) { s.Wizard = wizard })
	return nil
}

// edit changes a session without marking it used.
func (m *MemoryStore) edit(id string, f func(*StoredSession)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.sessions.byKey[id]; e != nil {
		f(e.Value.(*lruEntry[*StoredSession]).val)
	}
}

// CountSessions never fails.
func (m *MemoryStore) CountSessions(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions.expire(m.now())
	return m.sessions.len(), nil
}

// Shared is false: only this process reads the store.
func (m *MemoryStore) Shared() bool { return false }

// BeginLogin never fails.
func (m *MemoryStore) BeginLogin(_ context.Context, keys []ThrottleKey) (bool, time.Duration, error) {
	ok, wait := m.throttle.begin(keys)
	return ok, wait, nil
}

// LoginSucceeded never fails.
func (m *MemoryStore) LoginSucceeded(_ context.Context, keys []ThrottleKey) error {
	m.throttle.succeed(keys)
	return nil
}

// RememberDevice records nothing: the signed cookie is the record.
func (m *MemoryStore) RememberDevice(context.Context, string, string, time.Time) error { return nil }

// KnownDevice is true: the caller checked the cookie's signature, which
// in one process is all there is to check.
func (m *MemoryStore) KnownDevice(context.Context, string, string) (bool, error) { return true, nil }

var _ SessionStore = (*MemoryStore)(nil)
