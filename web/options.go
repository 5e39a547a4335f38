package web

import (
	"context"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/prefs"
	"github.com/hashicorp/go-hclog"
)

// User is one person who may log in.
type User struct {
	Name string
	// PasswordHash is a bcrypt hash; "" means the user cannot log in.
	PasswordHash string
	// Automatic users are synced by the scheduler and are not offered the
	// manual "synchronize previously imported items" area.
	Automatic bool
	// Admin users may read /debug/pprof/ with their session.
	Admin bool
	// Areas the user may sync (from the config); empty means all.
	Areas []engine.Area
	// TimeZone (IANA) is how times are shown to the user; "" is UTC.
	TimeZone string
	// Logins are the user's sources whose credentials are not in the
	// config (see credentials.LoginOf): their passwords are asked for once per
	// session before the wizard starts.
	Logins []LoginSource
}

// OpenJobFunc builds one user's engine job, starting the user's sources.
// secrets are the passwords the user typed for the sources in
// User.Logins, by source name (nil for a scheduled run); the function
// merges them into those sources' options (credentials.MergePassword) and must never
// log them or put them into an error. The returned release function
// closes the sources and must be called once the job is no longer needed.
// Errors name the user's config entry; an error about one source should
// be a *SourceError, so that a refused password can be asked for again.
type OpenJobFunc func(ctx context.Context, user string, secrets map[string]string) (job *engine.Job, release func(), err error)

// CheckLoginFunc checks a password the user typed for one of their
// sources (by source name) with its server at once, in one cheap call
// (adapters.CredentialChecker). A refused password is an error with
// adapters.CodeUnauthorized. It must never log the password or put it
// into an error.
type CheckLoginFunc func(ctx context.Context, user, source, password string) error

// Options is everything the web client needs; New checks it.
type Options struct {
	Users []User
	// OpenJob starts a user's sources for a wizard run or a scheduled run.
	OpenJob OpenJobFunc
	// CheckLogin, when set, checks each typed password on the
	// credentials page before it is kept, so that a wrong one is refused
	// there; nil keeps it unchecked until the run opens the sources.
	CheckLogin CheckLoginFunc
	// CRM is listed on the activities page. It must be safe for
	// concurrent use (every built-in sink and every plugin client is).
	CRM   adapters.Sink
	State state.Store
	// Preferences serves the "User preferences / Groupware" page and is
	// how pages read a user's areas, automatic matching and time zone
	// (the command line reads them through the same prefs.Service); nil
	// leaves the page out and reads Users alone.
	Preferences *prefs.Service
	// SecureCookies marks cookies Secure; set it when serving HTTPS.
	SecureCookies bool
	// Interval between scheduled runs of automatic users; 0 disables the
	// scheduler.
	Interval time.Duration
	// ShutdownGrace is how long a running sync may go on after shutdown
	// was asked for before it is cancelled (it then stops between two
	// batches). Default 10s.
	ShutdownGrace time.Duration
	// MaxSessions bounds the logged-in sessions kept in memory (in the
	// default store, and this replica's wizard runs with any store); at
	// the bound the least recently used one is ended. Default
	// DefaultMaxSessions.
	MaxSessions int
	// Sessions keeps the sessions, the login throttle and the known
	// devices; nil means NewMemoryStore(MaxSessions), this process only.
	// Replicas behind a load balancer share one (web/pgsessions) and one
	// Keys. A Shared store needs Keys: typed passwords are sealed with
	// them before the store sees them.
	Sessions SessionStore
	// Keys signs the login form's CSRF token ("csrf") and the
	// known-device cookie ("device-cookie"), and seals typed passwords
	// ("typed-password"); nil means a random keyring per process (a
	// restart then asks every browser to reload the login form). Pass the
	// *secretbox.Keyring of serve.secret_key_file.
	Keys Keyring
	// Jobs, when set, runs the wizard's manual runs as jobs of a queue
	// shared by every replica and schedules automatic users there (see
	// Jobs); the in-process scheduler is then off, and Interval is only
	// what the status page says. nil: runs happen in this process (the
	// embedded SQLite deployment).
	Jobs Jobs
	// JobPoll is how often a run page's event stream asks Jobs for the
	// job's state. Default 500ms.
	JobPoll time.Duration
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// MetricsElsewhere leaves /metrics out of Handler: the caller serves
	// MetricsHandler on an address of its own.
	MetricsElsewhere bool
	// Timeouts of the HTTP server Serve runs; zero values take the
	// defaults (DefaultTimeouts). The progress stream extends its write
	// deadline per event, so it may outlive WriteTimeout.
	Timeouts Timeouts
	Logger   hclog.Logger
}

// Timeouts are the HTTP server's: against clients that send or read
// slowly (slowloris) and connections left open.
type Timeouts struct {
	ReadHeader time.Duration
	Read       time.Duration
	Write      time.Duration
	Idle       time.Duration
}

// Keyring is what the web client needs of internal/secretbox's Keyring:
// a key per purpose, and sealing for the typed passwords a shared session
// store keeps.
type Keyring interface {
	// Key returns 32 bytes derived for purpose.
	Key(purpose string) []byte
	// Seal encrypts plain for purpose; Open reverses it and fails on
	// anything Seal did not make with the same key and purpose.
	Seal(purpose string, plain []byte) (string, error)
	Open(purpose string, sealed string) ([]byte, error)
}
