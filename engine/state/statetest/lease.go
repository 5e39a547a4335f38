package statetest

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// A held lease refuses others with a BusyError naming the holder; release
// frees it; an old token neither renews nor releases a newer holding.
func testLeaseIsExclusive(t *testing.T, s state.Store) {
	ctx := context.Background()
	cli := state.Holder{Host: "host-a", PID: 4242, What: "gwsync sync"}
	w := openWindow()
	held, err := s.TryLease(ctx, "alice", cli, time.Minute)
	w = w.close()
	if err != nil {
		t.Fatal(err)
	}
	if held.User != "alice" || held.Token == "" || held.Holder != cli {
		t.Errorf("lease = %+v; want alice's, with a token and the holder", held)
	}
	w.check(t, "Since", held.Since)
	// Expires is now+ttl by the store's clock, which on this machine is
	// the test's (a second of slack for sub-second expiries).
	if low, high := w.from.Add(time.Minute-time.Second), w.to.Add(time.Minute+2*time.Second); held.Expires.Before(low) || held.Expires.After(high) {
		t.Errorf("Expires = %v, want about a minute after %v", held.Expires, held.Since)
	}
	if held.Expires.Location() != time.UTC {
		t.Errorf("Expires %v not in UTC", held.Expires)
	}

	_, err = s.TryLease(ctx, "alice", state.Holder{Host: "host-b", PID: 7, What: "worker"}, time.Minute)
	var busy *state.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second TryLease: %v, want a *state.BusyError", err)
	}
	if busy.Lease.Holder != cli || busy.Lease.User != "alice" || !busy.Lease.Since.Equal(held.Since) {
		t.Errorf("busy names %+v, want the holding %+v", busy.Lease, held)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "alice is being synced by gwsync sync (PID 4242 on host-a) since ") {
		t.Errorf("busy message %q", msg)
	}
	if _, err := s.TryLease(ctx, "bob", cli, time.Minute); err != nil {
		t.Fatalf("bob's lease while alice's is held: %v", err)
	}
	renewed, err := s.RenewLease(ctx, held, 2*time.Minute)
	if err != nil || renewed.Token != held.Token || !renewed.Expires.After(held.Expires) {
		t.Fatalf("RenewLease = %+v, %v; want the same holding, expiring later", renewed, err)
	}
	if err := s.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseLease(ctx, held); err != nil {
		t.Errorf("releasing twice: %v, want nil", err)
	}
	next, err := s.TryLease(ctx, "alice", state.Holder{What: "worker"}, time.Minute)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if next.Token == held.Token {
		t.Error("a new holding got the old token")
	}
	if _, err := s.RenewLease(ctx, held, time.Minute); !errors.Is(err, state.ErrLeaseLost) {
		t.Errorf("renew with a released token: %v, want ErrLeaseLost", err)
	}
	if err := s.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLease(ctx, "alice", cli, time.Minute); !errors.As(err, &busy) || busy.Lease.Holder.What != "worker" {
		t.Errorf("a stale release freed the new holding: %v", err)
	}
	if _, err := s.TryLease(ctx, "", cli, time.Minute); err == nil {
		t.Error("TryLease with an empty user succeeded")
	}
}

// A holder that stops renewing (killed) loses the lease once it expires:
// another takes it over, and the old holder's renewal reports the loss.
func testLeaseExpiry(t *testing.T, s state.Store) {
	ctx := context.Background()
	killed, err := s.TryLease(ctx, "alice", state.Holder{What: "worker", PID: 1}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The holder's last renewal was a short one: it runs out in 50ms.
	if killed, err = s.RenewLease(ctx, killed, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var next state.Lease
	deadline := time.Now().Add(30 * time.Second) // a bound for a stuck store, not a speed target
	for {
		next, err = s.TryLease(ctx, "alice", state.Holder{What: "worker", PID: 2}, time.Hour)
		var busy *state.BusyError
		if err == nil {
			break
		}
		if !errors.As(err, &busy) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("an expired lease was never taken over: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if next.Holder.PID != 2 || next.Token == killed.Token {
		t.Errorf("take-over = %+v", next)
	}
	if _, err := s.RenewLease(ctx, killed, time.Hour); !errors.Is(err, state.ErrLeaseLost) {
		t.Errorf("the expired holder renewed: %v, want ErrLeaseLost", err)
	}
	if err := s.ReleaseLease(ctx, killed); err != nil {
		t.Errorf("the expired holder's release: %v", err)
	}
	if _, err := s.RenewLease(ctx, next, time.Hour); err != nil {
		t.Errorf("the new holder's renewal after the old one's release: %v", err)
	}
}

// Many goroutines race for one free lease: exactly one wins, and the
// others are told who.
func testLeaseRace(t *testing.T, s state.Store) {
	ctx := context.Background()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []int
	)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.TryLease(ctx, "alice", state.Holder{PID: i + 1, What: "worker"}, time.Minute)
			var busy *state.BusyError
			switch {
			case err == nil:
				mu.Lock()
				wins = append(wins, i+1)
				mu.Unlock()
			case !errors.As(err, &busy):
				t.Errorf("TryLease: %v", err)
			case busy.Lease.Holder.PID == i+1 || busy.Lease.Holder.PID == 0:
				t.Errorf("busy error names %+v", busy.Lease.Holder)
			}
		}()
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d winners (%v), want 1", len(wins), wins)
	}
}

// TryLeaseForRun takes the lease as TryLease does and hands the user's
// stored preferences and cursors with it: empty maps when there are none,
// nothing at all when the lease is busy, and never another user's.
func testLeaseForRun(t *testing.T, s state.Store) {
	ctx := context.Background()
	h := state.Holder{Host: "host-a", PID: 1, What: "worker"}
	held, start, err := s.TryLeaseForRun(ctx, "ann", h, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if held.User != "ann" || held.Token == "" || held.Holder != h || !held.Expires.After(held.Since) {
		t.Errorf("lease = %+v; want ann's, with a token, the holder and an expiry", held)
	}
	if start.Preferences == nil || len(start.Preferences) != 0 || start.Cursors == nil || len(start.Cursors) != 0 {
		t.Errorf("run start = %#v, want empty maps", start)
	}
	var busy *state.BusyError
	if _, start, err := s.TryLeaseForRun(ctx, "ann", state.Holder{What: "other"}, time.Minute); !errors.As(err, &busy) ||
		busy.Lease.Token != held.Token || start.Preferences != nil || start.Cursors != nil {
		t.Fatalf("while held: %v, %v; want a *state.BusyError naming the holding and nothing read", start, err)
	}
	if err := s.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUserPreferences(ctx, "ann", "ann", map[string]string{"import_folder": "Projects", "areas": "mail"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUserPreferences(ctx, "bob", "bob", map[string]string{"import_folder": "INBOX"}); err != nil {
		t.Fatal(err)
	}
	for user, cursors := range map[string]map[string]string{
		"ann": {"mail": "uv1:7", ":crm": "c42"},
		"bob": {"mail": "uv9:1"},
	} {
		for source, cursor := range cursors {
			if err := s.SetCursor(ctx, user, source, cursor); err != nil {
				t.Fatal(err)
			}
		}
	}
	again, start, err := s.TryLeaseForRun(ctx, "ann", h, time.Minute)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if want := map[string]string{"import_folder": "Projects", "areas": "mail"}; !maps.Equal(start.Preferences, want) {
		t.Errorf("preferences = %v, want %v", start.Preferences, want)
	}
	if want := map[string]string{"mail": "uv1:7", ":crm": "c42"}; !maps.Equal(start.Cursors, want) {
		t.Errorf("cursors = %v, want %v", start.Cursors, want)
	}
	if _, err := s.RenewLease(ctx, again, time.Minute); err != nil {
		t.Errorf("renewing the lease it took: %v", err)
	}
	if _, _, err := s.TryLeaseForRun(ctx, "", h, time.Minute); err == nil {
		t.Error("empty user: no error")
	}
}
