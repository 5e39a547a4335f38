package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A user's lease is the right to sync that user, held by one process at a
// time: the CLI, a web replica and every worker take it before writing, so
// that two runs for one user never overlap anywhere. It is a row with an
// expiry that its holder keeps renewing (LockUser does), not a database
// lock tied to a connection: a holder killed with SIGKILL stops renewing
// and its lease runs out after its TTL, on SQLite and PostgreSQL alike.

// Holder names who holds a lease, for the "being synced by" message.
type Holder struct {
	Host string // host name of the holding process
	PID  int
	What string // what runs: "gwsync sync", "worker", "web wizard"
}

// String is "worker (PID 4242 on host-a)".
func (h Holder) String() string {
	what := h.What
	if what == "" {
		what = "another process"
	}
	return fmt.Sprintf("%s (PID %d on %s)", what, h.PID, h.Host)
}

// Lease is one holding of a user's lease.
type Lease struct {
	User string
	// Token identifies this holding; a renewal or release with another
	// token does not touch it.
	Token   string
	Holder  Holder
	Since   time.Time // when this holding began
	Expires time.Time // when it runs out unless renewed
}

// RunStart is what TryLeaseForRun reads with the lease it took: maps that
// are empty, never nil, when the user has none.
type RunStart struct {
	Preferences map[string]string // key → value, as UserPreferences
	Cursors     map[string]string // source → cursor, as Cursors
}

// TryLeaseThenRead is TryLeaseForRun done one call at a time: TryLease,
// then UserPreferences and Cursors. A store with no round trip to save
// implements TryLeaseForRun with it; one that pipelines falls back to it.
// A read that fails gives the lease back: the caller cannot start without
// what it reads.
func TryLeaseThenRead(ctx context.Context, st Store, user string, h Holder, ttl time.Duration) (Lease, RunStart, error) {
	lease, err := st.TryLease(ctx, user, h, ttl)
	if err != nil {
		return Lease{}, RunStart{}, err
	}
	var start RunStart
	start.Preferences, err = st.UserPreferences(ctx, user)
	if err == nil {
		start.Cursors, err = st.Cursors(ctx, user)
	}
	if err != nil {
		_ = st.ReleaseLease(context.WithoutCancel(ctx), lease)
		return Lease{}, RunStart{}, err
	}
	return lease, start, nil
}

// ErrLeaseLost is wrapped by RenewLease when the token no longer holds the
// user's lease (it expired and another took it, or it was released).
var ErrLeaseLost = errors.New("state: the user's lease was lost")

// BusyError is TryLease's error when another holder has the user's lease.
// Its Lease is the holding as stored, Token included, so that a holder
// known to be dead can be released (LockOptions.TakeOverDead).
type BusyError struct{ Lease Lease }

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is being synced by %s since %s", e.Lease.User, e.Lease.Holder,
		e.Lease.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
}
