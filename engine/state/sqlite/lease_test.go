package sqlite

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// Two stores on one file stand for two processes on one machine: the CLI
// and the web scheduler, say.
func TestLeaseIsExclusiveBetweenProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	cli := state.Holder{Host: "host-a", PID: 4242, What: "gwsync sync"}
	held, err := a.TryLease(ctx, "alice", cli, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.TryLease(ctx, "alice", state.Holder{Host: "host-a", PID: 7, What: "worker"}, time.Minute)
	var busy *state.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second TryLease: %v, want a BusyError", err)
	}
	if busy.Lease.Holder != cli {
		t.Fatalf("busy names %+v, want %+v", busy.Lease.Holder, cli)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "alice is being synced by gwsync sync (PID 4242 on host-a) since ") {
		t.Fatalf("message %q", msg)
	}
	// Another user is not affected.
	if _, err := b.TryLease(ctx, "bob", cli, time.Minute); err != nil {
		t.Fatalf("bob: %v", err)
	}
	if err := a.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryLease(ctx, "alice", cli, time.Minute); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// The old token neither renews nor releases the new holding.
	if _, err := a.RenewLease(ctx, held, time.Minute); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("renew with a released token: %v, want ErrLeaseLost", err)
	}
	if err := a.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TryLease(ctx, "alice", cli, time.Minute); !errors.As(err, &busy) {
		t.Fatalf("a stale release freed the lease: %v", err)
	}
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	fixedClock(s, t0)
	killed, err := s.TryLease(ctx, "alice", state.Holder{What: "worker", PID: 1}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fixedClock(s, t0.Add(29*time.Second))
	if _, err := s.TryLease(ctx, "alice", state.Holder{What: "worker", PID: 2}, 30*time.Second); err == nil {
		t.Fatal("took a lease that had not expired")
	}
	fixedClock(s, t0.Add(31*time.Second))
	next, err := s.TryLease(ctx, "alice", state.Holder{What: "worker", PID: 2}, 30*time.Second)
	if err != nil {
		t.Fatalf("expired lease not taken over: %v", err)
	}
	if !next.Since.Equal(t0.Add(31 * time.Second)) {
		t.Fatalf("since = %v", next.Since)
	}
	if _, err := s.RenewLease(ctx, killed, 30*time.Second); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("the killed holder renewed: %v", err)
	}
}

// Many goroutines of two processes race for one user: exactly one wins.
func TestLeaseRaceHasOneWinner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	var stores []*Store
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := stores[i%2].TryLease(ctx, "alice", state.Holder{PID: i}, time.Minute)
			var busy *state.BusyError
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !errors.As(err, &busy):
				t.Errorf("TryLease: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d winners, want 1", wins)
	}
}

func TestLockUserWaitsRenewsAndReportsLoss(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	first, runCtx, err := state.LockUser(ctx, s, "alice", state.Holder{What: "gwsync sync"}, state.LockOptions{TTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Without Wait a second holder is refused at once.
	if _, _, err := state.LockUser(ctx, s, "alice", state.Holder{What: "worker"}, state.LockOptions{}); err == nil {
		t.Fatal("second LockUser without Wait succeeded")
	}
	// The holder renews (every second): past its first TTL it still
	// holds. One renewal in three seconds is all this needs, so a slow
	// machine does not make it flaky.
	time.Sleep(4 * time.Second)
	if runCtx.Err() != nil {
		t.Fatalf("lock lost while renewing: %v", context.Cause(runCtx))
	}
	if _, err := s.TryLease(ctx, "alice", state.Holder{}, time.Second); err == nil {
		t.Fatal("a renewed lease was taken")
	}
	// A waiter gets it once the first unlocks.
	got := make(chan error, 1)
	go func() {
		l, _, err := state.LockUser(ctx, s, "alice", state.Holder{What: "worker"}, state.LockOptions{Wait: true, Poll: 20 * time.Millisecond})
		if err == nil {
			err = l.Unlock(ctx)
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := first.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if runCtx.Err() == nil {
		t.Fatal("Unlock left the run context alive")
	}

	// A lease taken away (here: released behind the holder's back and
	// taken by another) cancels the holder's context with ErrLeaseLost.
	lost, lostCtx, err := state.LockUser(ctx, s, "bob", state.Holder{}, state.LockOptions{TTL: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer lost.Unlock(ctx)
	if err := s.ReleaseLease(ctx, lost.Lease()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLease(ctx, "bob", state.Holder{What: "thief"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lostCtx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("holder not told it lost the lease")
	}
	if !errors.Is(context.Cause(lostCtx), state.ErrLeaseLost) {
		t.Fatalf("cause = %v", context.Cause(lostCtx))
	}
}

// A lease left by a process of this host that no longer exists (a sync
// killed with SIGKILL) is taken over at once with TakeOverDead; one whose
// process lives, or of another host, is not.
func TestLockUserTakesOverADeadLocalHolder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := state.Holder{Host: host, PID: gone.Process.Pid, What: "gwsync sync"}
	if _, err := s.TryLease(ctx, "alice", dead, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := state.LockUser(ctx, s, "alice", state.Holder{What: "next"}, state.LockOptions{}); err == nil {
		t.Fatal("without TakeOverDead a dead holder's lease was taken")
	}
	l, _, err := state.LockUser(ctx, s, "alice", state.CurrentHolder("next"), state.LockOptions{TakeOverDead: true})
	if err != nil {
		t.Fatalf("dead holder's lease not taken over: %v", err)
	}
	l.Unlock(ctx)

	for name, h := range map[string]state.Holder{
		"alive here":   {Host: host, PID: os.Getppid(), What: "go test"},
		"another host": {Host: host + "-other", PID: gone.Process.Pid, What: "worker"},
	} {
		if _, err := s.TryLease(ctx, "bob", h, time.Hour); err != nil {
			t.Fatal(err)
		}
		var busy *state.BusyError
		if _, _, err := state.LockUser(ctx, s, "bob", state.CurrentHolder("next"), state.LockOptions{TakeOverDead: true}); !errors.As(err, &busy) {
			t.Errorf("%s: %v, want busy", name, err)
			continue
		}
		if err := s.ReleaseLease(ctx, busy.Lease); err != nil {
			t.Fatal(err)
		}
	}
}

// LockOptions.ForRun hands the user's preferences and, once, cursors with
// the lock; a
// lock whose lease the settlement released (StopRenewing, SettleRun with
// Release, Released) keeps its context and does not release again, so a
// new holder taken meanwhile keeps its lease.
func TestLockUserPreferencesAndReleaseInSettlement(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.SetUserPreferences(ctx, "alice", "alice", map[string]string{"import_folder": "Projects"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "alice", "mail", "uv1:3"); err != nil {
		t.Fatal(err)
	}
	lock, runCtx, err := state.LockUser(ctx, s, "alice", state.Holder{What: "worker"}, state.LockOptions{TTL: 3 * time.Second, ForRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := lock.Preferences(); got["import_folder"] != "Projects" || len(got) != 1 {
		t.Errorf("Preferences() = %v, want the stored import_folder", got)
	}
	if got := lock.TakeCursors(); got["mail"] != "uv1:3" || len(got) != 1 {
		t.Errorf("TakeCursors() = %v, want the stored cursor", got)
	}
	// A second run under the lock reads the cursors the first stored.
	if got := lock.TakeCursors(); got != nil {
		t.Errorf("TakeCursors() the second time = %v, want nil", got)
	}
	lease := lock.StopRenewing()
	if lease.Token == "" || runCtx.Err() != nil {
		t.Fatalf("StopRenewing: %+v, context %v; want the holding and a live context", lease, runCtx.Err())
	}
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Settle: true, Release: true, Lease: lease}); err != nil {
		t.Fatal(err)
	}
	lock.Released()
	next, err := s.TryLease(ctx, "alice", state.Holder{What: "gwsync sync"}, time.Minute)
	if err != nil {
		t.Fatalf("the lease is not free after the settlement released it: %v", err)
	}
	if err := lock.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if runCtx.Err() == nil {
		t.Error("Unlock left the lock's context alive")
	}
	if _, err := s.RenewLease(ctx, next, time.Minute); err != nil {
		t.Errorf("Unlock after Released touched the next holding: %v", err)
	}
	// Without ForRun there are none, and Unlock releases as before.
	plain, _, err := state.LockUser(ctx, s, "bob", state.Holder{What: "worker"}, state.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Preferences() != nil || plain.TakeCursors() != nil {
		t.Errorf("without LockOptions.ForRun: preferences %v, cursors %v; want none", plain.Preferences(), plain.TakeCursors())
	}
	if err := plain.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLease(ctx, "bob", state.Holder{What: "worker"}, time.Minute); err != nil {
		t.Errorf("Unlock did not release: %v", err)
	}
}
