package sqlite

import (
	"context"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// An idle settlement commits lazily (synchronous NORMAL) for its own
// transaction only: the writer connection is at FULL again afterwards, so
// every other commit still waits for the disk.
func TestLazyCommitStaysInItsTransaction(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	level := func(after string) {
		t.Helper()
		var v int
		if err := s.writer.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 2 { // FULL
			t.Errorf("after %s: synchronous = %d on the writer, want 2 (FULL)", after, v)
		}
	}
	l, err := s.TryLease(ctx, "alice", state.Holder{Host: "h", PID: 1, What: "test"}, 60e9)
	if err != nil {
		t.Fatal(err)
	}
	level("TryLease")
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Settle: true}); err != nil {
		t.Fatal(err)
	}
	level("an idle SettleRun")
	if err := s.ReleaseLease(ctx, l); err != nil {
		t.Fatal(err)
	}
	level("ReleaseLease")
	if _, err := s.TryLease(ctx, "alice", state.Holder{Host: "h", PID: 2, What: "test"}, 60e9); err != nil {
		t.Errorf("the lease is not free after ReleaseLease: %v", err)
	}
}
