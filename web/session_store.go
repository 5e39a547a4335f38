package web

import (
	"context"
	"time"
)

// SessionStore is where the web client keeps what every replica behind a
// load balancer must see alike: the logged-in sessions (with their CSRF
// token and the groupware passwords typed in the browser), the login
// throttle's counters and the known devices. NewMemoryStore keeps them in
// this process (the default: one replica); web/pgsessions keeps them in
// PostgreSQL, so that any replica answers any request.
//
// What never enters a store is a wizard run in progress: it holds live
// adapter connections, so it stays in the memory of the replica that
// planned it (see SetSessionWizard). Implementations must be safe for
// concurrent use. Every error is the store's own failure (a database that
// cannot be reached); the web client answers it with 503 and changes
// nothing.
type SessionStore interface {
	// CreateSession saves a new session, seen now.
	CreateSession(ctx context.Context, s StoredSession) error
	// LookupSession returns the session with this id and marks it used
	// now, which moves its idle expiry on. ok is false when there is no
	// such session or it expired.
	LookupSession(ctx context.Context, id string) (s StoredSession, ok bool, err error)
	// EndSession deletes a session; an unknown or expired id is not an
	// error.
	EndSession(ctx context.Context, id string) error
	// SetSessionSecrets replaces the session's typed passwords, by source
	// name, in the form the server hands over (sealed when Shared). An
	// unknown id stores nothing and is not an error.
	SetSessionSecrets(ctx context.Context, id string, secrets map[string]string) error
	// SetSessionWizard records which wizard run, of which replica, the
	// session's review belongs to ("" none), so that another replica can
	// tell the user that the review lives elsewhere. An unknown id stores
	// nothing and is not an error.
	SetSessionWizard(ctx context.Context, id, wizard string) error
	// CountSessions is the number of live sessions.
	CountSessions(ctx context.Context) (int, error)
	// Shared reports whether other processes read this store: then typed
	// passwords are sealed before they are handed to it.
	Shared() bool

	LoginThrottle
	DeviceRegistry
}

// StoredSession is what a SessionStore keeps of one session.
type StoredSession struct {
	// ID is the random value of the session cookie; a store that writes
	// it anywhere keeps only a hash of it.
	ID   string
	User string
	// CSRF is the token every form of the session must carry.
	CSRF    string
	Created time.Time
	Seen    time.Time
	// Secrets are the typed groupware passwords by source name, sealed
	// when the store is Shared.
	Secrets map[string]string
	// Wizard names the wizard run holding the session's review
	// ("REPLICA/RUN"), "" when none was planned.
	Wizard string
}

// LoginThrottle counts login attempts per key (loginThrottle explains the
// policy). BeginLogin decides whether an attempt may check its password
// and, when it may, counts it as a failure on every key at once, so that
// parallel attempts (on any replica sharing the store) see it;
// LoginSucceeded clears the keys of a successful login. When ok is false,
// wait is how long the longest-blocked key still waits.
type LoginThrottle interface {
	BeginLogin(ctx context.Context, keys []ThrottleKey) (ok bool, wait time.Duration, err error)
	LoginSucceeded(ctx context.Context, keys []ThrottleKey) error
}

// DeviceRegistry records the known-device cookies handed out at login.
// The cookie is signed; a registry that is shared also keeps the device
// id (hashed) with its expiry, so that every replica agrees which devices
// are known and a device can be forgotten.
type DeviceRegistry interface {
	// RememberDevice records that device id logged in as user, valid
	// until expires.
	RememberDevice(ctx context.Context, id, user string, expires time.Time) error
	// KnownDevice reports whether device id is remembered for user and
	// not expired.
	KnownDevice(ctx context.Context, id, user string) (bool, error)
}

// SessionIdle is how long an unused session lives; a wizard run left open
// keeps its sources started, so sessions must not live for days.
const SessionIdle = 2 * time.Hour
