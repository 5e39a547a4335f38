package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// TryLease takes the user's lease when it is free or expired. The check
// and the take are one write transaction (BEGIN IMMEDIATE), so two
// processes on one file cannot both take it. The commit does not wait for
// the disk (inLazyTx): a lease only keeps processes of this machine apart,
// and the power cut that could lose it ends them all.
func (s *Store) TryLease(ctx context.Context, user string, h state.Holder, ttl time.Duration) (state.Lease, error) {
	if user == "" {
		return state.Lease{}, errors.New("state: lease: empty user")
	}
	now := s.now()
	lease := state.Lease{User: user, Token: newToken(), Holder: h, Since: now.UTC().Truncate(time.Second), Expires: now.Add(ttl).UTC()}
	err := s.inLazyTx(ctx, "take lease of "+user, func(tx *sql.Tx) error {
		cur, found, err := leaseOf(ctx, tx, user)
		if err != nil {
			return err
		}
		if found && cur.Expires.After(now) {
			return &state.BusyError{Lease: cur}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (user, token, host, pid, what, since, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid,
			what = excluded.what, since = excluded.since, expires_ms = excluded.expires_ms`,
			user, lease.Token, h.Host, h.PID, h.What, formatTime(lease.Since), lease.Expires.UnixMilli())
		if err != nil {
			return fmt.Errorf("state: take lease of %q: %w", user, err)
		}
		return nil
	})
	if err != nil {
		return state.Lease{}, err
	}
	return lease, nil
}

// RenewLease extends the lease while its token still holds it, even when
// it has just expired and nobody took it since.
func (s *Store) RenewLease(ctx context.Context, l state.Lease, ttl time.Duration) (state.Lease, error) {
	expires := s.now().Add(ttl).UTC()
	res, err := s.writer.ExecContext(ctx, `UPDATE leases SET expires_ms = ? WHERE user = ? AND token = ?`,
		expires.UnixMilli(), l.User, l.Token)
	if err != nil {
		return l, fmt.Errorf("state: renew lease of %q: %w", l.User, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return l, fmt.Errorf("state: renew lease of %q: %w", l.User, state.ErrLeaseLost)
	}
	l.Expires = expires
	return l, nil
}

// ReleaseLease deletes the lease if the token still holds it. The commit
// does not wait for the disk, as TryLease's.
func (s *Store) ReleaseLease(ctx context.Context, l state.Lease) error {
	err := s.inLazyTx(ctx, "release lease of "+l.User, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE user = ? AND token = ?`, l.User, l.Token)
		return err
	})
	if err != nil {
		return fmt.Errorf("state: release lease of %q: %w", l.User, err)
	}
	return nil
}

func leaseOf(ctx context.Context, tx *sql.Tx, user string) (state.Lease, bool, error) {
	l := state.Lease{User: user}
	var since sql.NullString
	var expires int64
	err := tx.QueryRowContext(ctx, `SELECT token, host, pid, what, since, expires_ms FROM leases WHERE user = ?`, user).
		Scan(&l.Token, &l.Holder.Host, &l.Holder.PID, &l.Holder.What, &since, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("state: lease of %q: %w", user, err)
	}
	if l.Since, err = parseTime(since); err != nil {
		return l, false, fmt.Errorf("state: lease of %q: %w", user, err)
	}
	l.Expires = time.UnixMilli(expires).UTC()
	return l, true, nil
}

// newToken is 128 random bits in hex.
func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// TryLeaseForRun is TryLease, then UserPreferences and Cursors: a file on
// the same machine has no round trip to save.
func (s *Store) TryLeaseForRun(ctx context.Context, user string, h state.Holder, ttl time.Duration) (state.Lease, state.RunStart, error) {
	return state.TryLeaseThenRead(ctx, s, user, h, ttl)
}
