package statetest

import (
	"context"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// SettleRun writes a run's cursors, journal entry and failures as the
// separate calls would, all or nothing: a finished run, then idle checks
// that share one entry, resolve failures and keep those of unknown
// sources, and a settlement that fails leaves every part as it was.
func testSettleRun(t *testing.T, s state.Store) {
	ctx := context.Background()
	bad := state.Failure{Source: "files", ItemID: "bad.ics", Kind: state.FailureUnreadable, Reason: "no BEGIN:VCALENDAR"}
	listing := state.Failure{Source: "mail", Kind: state.FailureListing, Reason: "connection refused"}
	if err := s.SetCursor(ctx, "alice", "old", "o1"); err != nil {
		t.Fatal(err)
	}
	run, err := s.BeginRun(ctx, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	w := openWindow()
	got, err := s.SettleRun(ctx, state.Settlement{User: "alice", RunID: run, Status: state.StatusPartial,
		Counts: map[string]int{"created": 3, "failed": 2}, Cursors: map[string]string{"files": "f1", ":crm": "c1", "old": ""},
		Settle: true, Failures: []state.Failure{bad, listing, bad}})
	w = w.close()
	if err != nil {
		t.Fatal(err)
	}
	if got.RunID != run || len(got.Failures) != 2 || !got.Failures[0].New || got.Failures[0].Attempts != 1 {
		t.Fatalf("settled %+v; want run %d and two new failures (one item twice is one)", got, run)
	}
	w.check(t, "FirstSeen", got.Failures[0].FirstSeen)
	runs, _ := s.Runs(ctx, "alice", 0)
	if len(runs) != 1 || runs[0].Status != state.StatusPartial || runs[0].Counts["created"] != 3 || runs[0].Finished.IsZero() {
		t.Fatalf("journal %+v; want the run finished partial with its counts", runs)
	}
	w.check(t, "Finished", runs[0].Finished)
	if c, _ := s.Cursors(ctx, "alice"); len(c) != 2 || c["files"] != "f1" || c[":crm"] != "c1" {
		t.Fatalf("cursors %v; want files and :crm stored, old cleared", c)
	}

	// Idle checks: the same cursor, a new one; mail's listing failed again
	// (unknown), files was seen without failure.
	idle, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"files": "f1", ":crm": "c2"},
		Settle: true, Unknown: []string{"mail"}})
	if err != nil || idle.RunID == 0 || idle.RunID == run || len(idle.Failures) != 0 {
		t.Fatalf("idle check: %+v, %v; want a new idle entry and no failures", idle, err)
	}
	if c, _ := s.Cursors(ctx, "alice"); c["files"] != "f1" || c[":crm"] != "c2" {
		t.Fatalf("cursors after the idle check %v", c)
	}
	if list, _ := s.Failures(ctx, "alice"); len(list) != 1 || list[0].Source != "mail" {
		t.Fatalf("failures after the idle check %+v; want mail's kept (unknown), files' resolved", list)
	}
	again, err := s.SettleRun(ctx, state.Settlement{User: "alice", Cursors: map[string]string{"files": "f1"}, Settle: true})
	if err != nil || again.RunID != idle.RunID {
		t.Fatalf("second idle check: %+v, %v; want entry %d again", again, err, idle.RunID)
	}
	if list, _ := s.Failures(ctx, "alice"); len(list) != 0 {
		t.Fatalf("every source seen, nothing failed: failures %+v", list)
	}
	runs, _ = s.Runs(ctx, "alice", 0)
	if len(runs) != 2 || runs[0].ID != idle.RunID || runs[0].Status != state.StatusIdle || runs[0].Counts["checks"] != 2 {
		t.Fatalf("journal %+v; want the idle entry with 2 checks on top", runs)
	}

	// An idle check met a failure: it is recorded, with the idle entry.
	met, err := s.SettleRun(ctx, state.Settlement{User: "alice", Settle: true, Failures: []state.Failure{bad}})
	if err != nil || met.RunID != idle.RunID || len(met.Failures) != 1 || !met.Failures[0].New {
		t.Fatalf("idle check with a failure: %+v, %v", met, err)
	}
	// Settle false leaves the failures alone.
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Failures(ctx, "alice"); len(list) != 1 {
		t.Fatalf("a settlement that settles nothing changed the failures: %+v", list)
	}

	// A settlement that fails writes nothing: an unknown run, a bad status.
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", RunID: run + 1000, Status: state.StatusOK,
		Cursors: map[string]string{"files": "lost"}, Settle: true}); err == nil {
		t.Error("settling an unknown run succeeded")
	}
	if _, err := s.SettleRun(ctx, state.Settlement{User: "alice", RunID: run, Status: state.StatusRunning}); err == nil {
		t.Error("settling a run as running succeeded")
	}
	if _, err := s.SettleRun(ctx, state.Settlement{Cursors: map[string]string{"files": "x"}}); err == nil {
		t.Error("a settlement without a user succeeded")
	}
	if c, _ := s.Cursors(ctx, "alice"); c["files"] != "f1" {
		t.Errorf("a failed settlement stored cursor %q", c["files"])
	}
	if list, _ := s.Failures(ctx, "alice"); len(list) != 1 {
		t.Errorf("a failed settlement changed the failures: %+v", list)
	}
	if other, _ := s.Cursors(ctx, "bob"); len(other) != 0 {
		t.Errorf("bob has alice's cursors: %v", other)
	}
}
