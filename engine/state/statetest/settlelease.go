package statetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// SettleRun with Release ends the lease in the same transaction, for an
// idle check, a finished run and one that met failures alike; a lease
// lost meanwhile is not an error and the new holding stays; a lease of
// another user is refused before anything is written.
func testSettleRunReleasesLease(t *testing.T, s state.Store) {
	ctx := context.Background()
	h := state.Holder{Host: "host-a", PID: 1, What: "worker"}
	take := func() state.Lease {
		t.Helper()
		l, err := s.TryLease(ctx, "alice", h, time.Minute)
		if err != nil {
			t.Fatalf("lease not free: %v", err)
		}
		return l
	}
	released := func(what string, l state.Lease) {
		t.Helper()
		if _, err := s.RenewLease(ctx, l, time.Minute); !errors.Is(err, state.ErrLeaseLost) {
			t.Errorf("%s: renewing the settled lease: %v, want ErrLeaseLost", what, err)
		}
	}

	l := take()
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"mail": "m1"}, Settle: true,
		Release: true, Lease: l}); err != nil {
		t.Fatal(err)
	}
	released("idle check", l)
	if c, _ := s.Cursor(ctx, "alice", "mail"); c != "m1" {
		t.Errorf("cursor = %q, want m1 stored with the release", c)
	}

	l = take()
	run, err := s.BeginRun(ctx, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", RunID: run, Status: state.StatusOK, Settle: true,
		Release: true, Lease: l}); err != nil {
		t.Fatal(err)
	}
	released("finished run", l)

	l = take()
	run, err = s.BeginRun(ctx, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	bad := state.Failure{Source: "mail", ItemID: "7", Kind: state.FailureUnreadable, Reason: "broken"}
	got, err := s.SettleRun(ctx, state.Settlement{User: "alice", RunID: run, Status: state.StatusPartial, Settle: true,
		Failures: []state.Failure{bad}, Release: true, Lease: l})
	if err != nil || len(got.Failures) != 1 {
		t.Fatalf("run with a failure: %+v, %v", got, err)
	}
	released("run with failures", l)

	// A lease lost meanwhile: the settlement is written, the new holding
	// is not touched.
	lost := take()
	if err := s.ReleaseLease(ctx, lost); err != nil {
		t.Fatal(err)
	}
	next := take()
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Settle: true, Release: true, Lease: lost}); err != nil {
		t.Fatalf("releasing a lost lease: %v, want the settlement written", err)
	}
	var busy *state.BusyError
	if _, err := s.TryLease(ctx, "alice", h, time.Minute); !errors.As(err, &busy) || busy.Lease.Token != next.Token {
		t.Errorf("a stale release freed the new holding: %v", err)
	}

	// Another user's lease is refused, and the settlement not written.
	bob, err := s.TryLease(ctx, "bob", h, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"mail": "m2"}, Release: true, Lease: bob}); err == nil {
		t.Error("released bob's lease in alice's settlement")
	}
	if c, _ := s.Cursor(ctx, "alice", "mail"); c != "m1" {
		t.Errorf("cursor = %q after a refused settlement, want m1", c)
	}
	if _, err := s.RenewLease(ctx, bob, time.Minute); err != nil {
		t.Errorf("bob's lease after a refused settlement: %v", err)
	}
}
