package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// lockFor holds alice's lease for w's job, as a worker does.
func lockFor(t *testing.T, w *world) *state.UserLock {
	t.Helper()
	lock, _, err := state.LockUser(context.Background(), w.st, "alice", state.Holder{What: "worker"}, state.LockOptions{TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	w.job.Lock = lock
	return lock
}

// leaseFree tells whether another holder can take alice's lease now
// (and gives it back).
func leaseFree(t *testing.T, w *world) bool {
	t.Helper()
	l, err := w.st.TryLease(context.Background(), "alice", state.Holder{What: "other"}, time.Minute)
	var busy *state.BusyError
	if errors.As(err, &busy) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.ReleaseLease(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return true
}

// A run holding Job.Lock releases the lease in its settlement, a run
// that writes and an idle check alike; the holder's Unlock afterwards
// releases nothing more.
func TestSettlementReleasesTheJobsLease(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	for _, want := range []string{state.StatusOK, state.StatusIdle} {
		lock := lockFor(t, w)
		_, res := w.run()
		if res.Status != want {
			t.Fatalf("run: %s, want %s", res.Status, want)
		}
		if !leaseFree(t, w) {
			t.Errorf("%s run: the lease is still held after the settlement", want)
		}
		if err := lock.Unlock(context.Background()); err != nil {
			t.Errorf("Unlock after the settlement released: %v", err)
		}
	}
}

// A source that must be told of its stored cursor (Committed) is told
// under the lease: the settlement leaves the lease to Unlock.
func TestSettlementKeepsTheLeaseForCommitted(t *testing.T) {
	w := newWorld(t)
	src := newCommitter(w)
	seedAll(w)
	lock := lockFor(t, w)
	held := false
	w.job.Sources[0].Source = &checkAtCall{committer: src, at: func(string) { held = !leaseFree(t, w) }}
	if _, res := w.run(); res.Status != state.StatusOK || len(src.calls) != 1 {
		t.Fatalf("run %s, Committed calls %q", res.Status, src.calls)
	}
	if !held {
		t.Error("Committed ran without the lease")
	}
	if leaseFree(t, w) {
		t.Error("the lease was released before Unlock")
	}
	if err := lock.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !leaseFree(t, w) {
		t.Error("Unlock did not release the lease")
	}
}
