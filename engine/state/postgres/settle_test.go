package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// An idle settlement rewrites no unchanged cursor, leaves the session's
// synchronous_commit as it was, and a settlement with a new cursor
// stores it.
func TestSettleRunIdleWritesOnlyWhatChanged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, pgtest.NewDatabase(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Pool().Exec(ctx, `SET synchronous_commit = on`); err != nil {
		t.Fatal(err)
	}
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
	idle, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"mail": "c1"}, Settle: true})
	if err != nil || idle.RunID == 0 {
		t.Fatalf("idle settlement: %+v, %v", idle, err)
	}
	if after := xmin(); after != before {
		t.Errorf("an unchanged cursor was rewritten (xmin %s → %s)", before, after)
	}
	var v string
	if err := s.Pool().QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil || v != "on" {
		t.Errorf("after an idle settlement synchronous_commit = %q (%v), want on", v, err)
	}
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"mail": "c2"}, Settle: true}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx, "alice", "mail"); c != "c2" {
		t.Errorf("cursor %q after an idle settlement with a new one, want c2", c)
	}
	if err := s.Pool().QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil || v != "on" {
		t.Errorf("after a settlement with a new cursor synchronous_commit = %q (%v), want on", v, err)
	}
}
