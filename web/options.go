package web

import (
	"context"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
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

// Options is everything the web client needs; New checks it.
type Options struct {
	Users []User
	// OpenJob starts a user's sources for a wizard run or a scheduled run.
	OpenJob OpenJobFunc
	// CRM is listed on the activities page. It must be safe for
	// concurrent use (every built-in sink and every plugin client is).
	CRM   adapters.Sink
	State state.Store
	// SecureCookies marks cookies Secure; set it when serving HTTPS.
	SecureCookies bool
	// Interval between scheduled runs of automatic users; 0 disables the
	// scheduler.
	Interval time.Duration
	// ShutdownGrace is how long a running sync may go on after shutdown
	// was asked for before it is cancelled (it then stops between two
	// batches). Default 10s.
	ShutdownGrace time.Duration
	// LoginLimit is how many failed logins per client address and per user
	// name are allowed within LoginWindow before logins are refused with
	// 429. Defaults 5 and 1 minute.
	LoginLimit  int
	LoginWindow time.Duration
	Logger      hclog.Logger
}
