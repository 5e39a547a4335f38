package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// The writes that commit asynchronously (a lease's release, an idle
// check) set synchronous_commit for their own transaction only: the next
// statement on the same connection commits durably again.
func TestAsyncCommitStaysInItsTransaction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, pgtest.NewDatabase(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The test cluster may run without synchronous commits: the session
	// (the pool's one connection) asks for them.
	if _, err := s.Pool().Exec(ctx, `SET synchronous_commit = on`); err != nil {
		t.Fatal(err)
	}
	syncCommit := func(after string) {
		t.Helper()
		var v string
		if err := s.Pool().QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != "on" {
			t.Errorf("after %s: synchronous_commit = %q on the pool's one connection, want on", after, v)
		}
	}
	l, err := s.TryLease(ctx, "alice", state.Holder{Host: "h", PID: 1, What: "test"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseLease(ctx, l); err != nil {
		t.Fatal(err)
	}
	syncCommit("ReleaseLease")
	if _, err := s.TryLease(ctx, "alice", state.Holder{Host: "h", PID: 2, What: "test"}, time.Minute); err != nil {
		t.Errorf("the lease is not free after ReleaseLease: %v", err)
	}
	if _, err := s.RecordIdle(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	syncCommit("RecordIdle")
}

// A cursor stored again unchanged writes nothing: the row keeps its
// version (xmin), so a no-change run commits no write for it.
func TestSetCursorUnchangedWritesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openTest(t)
	xmin := func() string {
		t.Helper()
		var v string
		if err := s.Pool().QueryRow(ctx, `SELECT xmin::text FROM cursors WHERE user_name = 'alice' AND source = 'mail'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := s.SetCursor(ctx, "alice", "mail", "c1"); err != nil {
		t.Fatal(err)
	}
	before := xmin()
	if err := s.SetCursor(ctx, "alice", "mail", "c1"); err != nil {
		t.Fatal(err)
	}
	if after := xmin(); after != before {
		t.Errorf("the same cursor stored again rewrote its row (xmin %s → %s)", before, after)
	}
	if err := s.SetCursor(ctx, "alice", "mail", "c2"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Cursor(ctx, "alice", "mail"); err != nil || got != "c2" {
		t.Errorf("Cursor = %q, %v after a change, want c2", got, err)
	}
}
