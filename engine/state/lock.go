package state

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// Lease defaults: a holder renews every TTL/3, so a store that is briefly
// unreachable (a PostgreSQL restart) costs two renewals before the lease
// is at risk, and a killed holder blocks its user for at most a TTL.
const (
	DefaultLeaseTTL  = 30 * time.Second
	DefaultLeasePoll = time.Second
)

// LockOptions says how LockUser takes and keeps a lease.
type LockOptions struct {
	TTL time.Duration // default DefaultLeaseTTL; renewed every TTL/3
	// Wait polls every Poll until the lease is free or ctx ends; without
	// it LockUser returns the *BusyError at once.
	Wait bool
	Poll time.Duration // default DefaultLeasePoll
	// TakeOverDead releases at once a lease whose holder ran on this host
	// under a PID that no longer exists (a sync killed with SIGKILL), so
	// that the next run on the machine does not wait out the TTL. Leave
	// it off where hosts may share a name across PID namespaces.
	TakeOverDead bool
	// ForRun reads the user's stored preferences and cursors with the
	// lease (TryLeaseForRun), for UserLock.Preferences and TakeCursors:
	// one round trip to a database server instead of three.
	ForRun bool
}

// UserLock is a held lease that LockUser keeps renewing.
type UserLock struct {
	st     Store
	ttl    time.Duration
	cancel context.CancelCauseFunc
	done   chan struct{}
	prefs  map[string]string

	cursorsMu sync.Mutex
	cursors   map[string]string // until TakeCursors

	stopOnce sync.Once
	stop     chan struct{} // closed by StopRenewing

	mu       sync.Mutex
	lease    Lease
	released bool
}

// LockUser takes the user's lease and keeps renewing it until Unlock. The
// returned context, derived from ctx, is cancelled with cause ErrLeaseLost
// when a renewal finds the lease taken or the store cannot renew it before
// it expires: run the user's sync under it, so a holder that lost its
// lease stops between two batches instead of overlapping the next holder.
// Errors: a *BusyError (without Wait), ctx's error while waiting, or the
// store's.
func LockUser(ctx context.Context, st Store, user string, h Holder, o LockOptions) (*UserLock, context.Context, error) {
	if o.TTL <= 0 {
		o.TTL = DefaultLeaseTTL
	}
	if o.Poll <= 0 {
		o.Poll = DefaultLeasePoll
	}
	var lease Lease
	var start RunStart
	for {
		var err error
		if o.ForRun {
			lease, start, err = st.TryLeaseForRun(ctx, user, h, o.TTL)
		} else {
			lease, err = st.TryLease(ctx, user, h, o.TTL)
		}
		if err == nil {
			break
		}
		var busy *BusyError
		if !errors.As(err, &busy) {
			return nil, nil, err
		}
		if o.TakeOverDead && deadHere(busy.Lease.Holder) {
			// Release with the dead holder's own token: if it took its
			// lease back meanwhile, nothing happens and we see it busy.
			if rerr := st.ReleaseLease(ctx, busy.Lease); rerr != nil {
				return nil, nil, rerr
			}
			continue
		}
		if !o.Wait {
			return nil, nil, err
		}
		t := time.NewTimer(o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, context.Cause(ctx)
		case <-t.C:
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	l := &UserLock{st: st, ttl: o.TTL, cancel: cancel, done: make(chan struct{}), stop: make(chan struct{}),
		lease: lease, prefs: start.Preferences, cursors: start.Cursors}
	go l.renew(runCtx)
	return l, runCtx, nil
}

// renew extends the lease every TTL/3. A renewal that fails for another
// reason than a lost lease (the store is restarting) is retried on the
// next tick, until the lease would have expired.
func (l *UserLock) renew(ctx context.Context) {
	defer close(l.done)
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.stop:
			return
		case <-tick.C:
		}
		l.mu.Lock()
		cur := l.lease
		l.mu.Unlock()
		next, err := l.st.RenewLease(ctx, cur, l.ttl)
		switch {
		case err == nil:
			l.mu.Lock()
			l.lease = next
			l.mu.Unlock()
		case errors.Is(err, ErrLeaseLost):
			l.cancel(ErrLeaseLost)
			return
		case ctx.Err() != nil:
			return
		case time.Now().After(cur.Expires):
			l.cancel(ErrLeaseLost)
			return
		}
	}
}

// Lease is the holding as last renewed.
func (l *UserLock) Lease() Lease {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lease
}

// Preferences are the user's stored preferences, read with the lease
// when LockOptions.ForRun asked for them (else nil).
func (l *UserLock) Preferences() map[string]string { return l.prefs }

// TakeCursors hands over the user's stored cursors read with the lease
// (LockOptions.ForRun), for the first run under it; later calls, and a
// lock taken without ForRun, return nil. A run settled under the lock
// stores new cursors, so only the first may trust this read: the next
// reads the store again.
func (l *UserLock) TakeCursors() map[string]string {
	l.cursorsMu.Lock()
	defer l.cursorsMu.Unlock()
	m := l.cursors
	l.cursors = nil
	return m
}

// StopRenewing stops the renewals without cancelling the lock's context
// and returns the holding as last renewed, for a release that the caller
// makes itself (Settlement.Release: the end of a run and the release in
// one transaction). Then call Released once the store released it, or
// Unlock to release it here. The lease still runs out after its TTL, so
// stop only at the end of a run. Calls after the first only wait.
func (l *UserLock) StopRenewing() Lease {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
	return l.Lease()
}

// Released says that the store released the lease (SettleRun with
// Settlement.Release): Unlock then only stops what is left, and does not
// release it again (a round trip).
func (l *UserLock) Released() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.released = true
}

// Unlock stops renewing, cancels the lock's context and releases the
// lease unless Released said that the store did. Calls after the first
// only return the release's result again.
func (l *UserLock) Unlock(ctx context.Context) error {
	l.cancel(context.Canceled)
	<-l.done
	l.mu.Lock()
	lease, released := l.lease, l.released
	l.mu.Unlock()
	if released {
		return nil
	}
	return l.st.ReleaseLease(ctx, lease)
}

// deadHere tells whether h ran on this host under a PID that is gone.
func deadHere(h Holder) bool {
	host, err := os.Hostname()
	if err != nil || h.Host != host || h.PID <= 0 || h.PID == os.Getpid() {
		return false
	}
	return !processExists(h.PID)
}

// CurrentHolder names this process: its host name and PID.
func CurrentHolder(what string) Holder {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown host"
	}
	return Holder{Host: host, PID: os.Getpid(), What: what}
}
