package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gwsync/gwsync/engine/state"
)

// Leases are measured by the database's clock (now()), never by the
// caller's: replicas on hosts whose clocks disagree still agree on when a
// lease runs out. ttl travels as microseconds.

// takeLeaseSQL takes the lease when there is no row or the row has
// expired, in one statement: of two processes racing for a free lease,
// the unique key lets one insert, and the other's DO UPDATE sees the
// winner's row, unexpired, and returns nothing.
const takeLeaseSQL = `INSERT INTO leases AS l (user_name, token, host, pid, what, since, expires)
VALUES ($1, $2, $3, $4, $5, date_trunc('second', now()), now() + $6 * interval '1 microsecond')
ON CONFLICT (user_name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid,
	what = excluded.what, since = excluded.since, expires = excluded.expires
	WHERE l.expires <= now()
RETURNING since, expires`

// TryLease takes the user's lease until now+ttl (the database's now) when
// nobody holds it or the holding has expired; when another holds it, the
// error is a *state.BusyError naming them.
func (s *Store) TryLease(ctx context.Context, user string, h state.Holder, ttl time.Duration) (state.Lease, error) {
	if user == "" {
		return state.Lease{}, errors.New("state: lease: empty user")
	}
	lease := state.Lease{User: user, Token: newToken(), Holder: h}
	// A lease released between the take and the look at its holder is
	// free again: try again. Twice more is plenty; more would mean
	// somebody takes and releases it in a loop.
	for range 3 {
		var since, expires pgtype.Timestamptz
		err := s.pool.QueryRow(ctx, takeLeaseSQL, user, lease.Token, h.Host, h.PID, h.What, ttl.Microseconds()).
			Scan(&since, &expires)
		if err == nil {
			lease.Since, lease.Expires = timeOf(since), timeOf(expires)
			return lease, nil
		}
		if !errNoRows(err) {
			return state.Lease{}, s.errorf(err, "take lease of %q", user)
		}
		cur, found, err := s.leaseOf(ctx, user)
		if err != nil {
			return state.Lease{}, err
		}
		if found {
			return state.Lease{}, &state.BusyError{Lease: cur}
		}
	}
	return state.Lease{}, s.errorf(errors.New("taken and released again while trying"), "take lease of %q", user)
}

// RenewLease moves the lease's expiry to now+ttl (the database's now)
// while l.Token still holds it, even when it has just expired and nobody
// took it since; otherwise the error wraps state.ErrLeaseLost.
func (s *Store) RenewLease(ctx context.Context, l state.Lease, ttl time.Duration) (state.Lease, error) {
	var expires pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `UPDATE leases SET expires = now() + $3 * interval '1 microsecond'
		WHERE user_name = $1 AND token = $2 RETURNING expires`, l.User, l.Token, ttl.Microseconds()).Scan(&expires)
	if errNoRows(err) {
		return l, s.errorf(state.ErrLeaseLost, "renew lease of %q", l.User)
	}
	if err != nil {
		return l, s.errorf(err, "renew lease of %q", l.User)
	}
	l.Expires = timeOf(expires)
	return l, nil
}

// ReleaseLease deletes the lease if l.Token still holds it; a lease lost
// or released already is not an error. The release does not wait for the
// disk (asynchronous commit): a release that a database crash loses is a
// lease that expires by its TTL instead, which leases must survive anyway
// (a killed holder), while waiting for the flush cost every user's run a
// disk round trip.
func (s *Store) ReleaseLease(ctx context.Context, l state.Lease) error {
	err := s.asyncTx(ctx, func(b *pgx.Batch) {
		b.Queue(releaseLeaseSQL, l.User, l.Token)
	}, func(br pgx.BatchResults) error { _, err := br.Exec(); return err })
	if err != nil {
		return s.errorf(err, "release lease of %q", l.User)
	}
	return nil
}

// releaseLeaseSQL ends the holding of $1 with token $2, if it still holds.
const releaseLeaseSQL = `DELETE FROM leases WHERE user_name = $1 AND token = $2`

// leaseOf reads the user's lease row; found is false when there is none.
func (s *Store) leaseOf(ctx context.Context, user string) (l state.Lease, found bool, err error) {
	l.User = user
	var since, expires pgtype.Timestamptz
	err = s.pool.QueryRow(ctx, `SELECT token, host, pid, what, since, expires FROM leases WHERE user_name = $1`, user).
		Scan(&l.Token, &l.Holder.Host, &l.Holder.PID, &l.Holder.What, &since, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, s.errorf(err, "lease of %q", user)
	}
	l.Since, l.Expires = timeOf(since), timeOf(expires)
	return l, true, nil
}

// newToken is 128 random bits in hex.
func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// TryLeaseForRun takes the lease and reads the user's preferences and
// cursors in one round trip: the take and the reads are pipelined (one
// implicit transaction; reads after a failed take are discarded). A busy
// lease costs a second round trip to name its holder, and one released
// meanwhile falls back to TryLease and the reads one by one.
func (s *Store) TryLeaseForRun(ctx context.Context, user string, h state.Holder, ttl time.Duration) (state.Lease, state.RunStart, error) {
	if user == "" {
		return state.Lease{}, state.RunStart{}, errors.New("state: lease: empty user")
	}
	lease := state.Lease{User: user, Token: newToken(), Holder: h}
	b := &pgx.Batch{}
	b.Queue(takeLeaseSQL, user, lease.Token, h.Host, h.PID, h.What, ttl.Microseconds())
	b.Queue(preferencesSQL, user)
	b.Queue(cursorsSQL, user)
	br := s.pool.SendBatch(ctx, b)
	var since, expires pgtype.Timestamptz
	taken := br.QueryRow().Scan(&since, &expires)
	var start state.RunStart
	var err error
	if taken == nil {
		start.Preferences, err = readPairs(br)
		if err == nil {
			start.Cursors, err = readPairs(br)
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case taken == nil && err == nil:
		lease.Since, lease.Expires = timeOf(since), timeOf(expires)
		return lease, start, nil
	case taken == nil:
		// Taken, but what the run needs could not be read: the caller
		// cannot start, so the lease is given back.
		_ = s.ReleaseLease(context.WithoutCancel(ctx), lease)
		return state.Lease{}, state.RunStart{}, s.errorf(err, "preferences and cursors of %q", user)
	case !errNoRows(taken):
		return state.Lease{}, state.RunStart{}, s.errorf(taken, "take lease of %q", user)
	}
	cur, found, err := s.leaseOf(ctx, user)
	if err != nil {
		return state.Lease{}, state.RunStart{}, err
	}
	if found {
		return state.Lease{}, state.RunStart{}, &state.BusyError{Lease: cur}
	}
	return state.TryLeaseThenRead(ctx, s, user, h, ttl)
}
