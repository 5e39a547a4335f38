package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// Consecutive idle checks share one journal entry; a real run in between
// starts a new one.
func TestRecordIdleSharesOneEntry(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	fixedClock(s, t0)
	a, err := s.RecordIdle(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	fixedClock(s, t0.Add(5*time.Minute))
	b, err := s.RecordIdle(ctx, "alice")
	if err != nil || b != a {
		t.Fatalf("second idle check: entry %d (%v), want the first's %d", b, err, a)
	}
	runs, _ := s.Runs(ctx, "alice", 0)
	if len(runs) != 1 || runs[0].Status != state.StatusIdle || runs[0].Counts["checks"] != 2 ||
		!runs[0].Started.Equal(t0) || !runs[0].Finished.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("runs = %+v, want one idle entry from 09:00 to 09:05 with 2 checks", runs)
	}
	id, _ := s.BeginRun(ctx, "alice", false)
	if err := s.FinishRun(ctx, id, state.StatusOK, nil, ""); err != nil {
		t.Fatal(err)
	}
	c, _ := s.RecordIdle(ctx, "alice")
	if c == a || c == id {
		t.Errorf("idle after a real run reused entry %d", c)
	}
	if other, _ := s.RecordIdle(ctx, "bob"); other == c {
		t.Error("bob's idle check extended alice's entry")
	}
}

// A failure met again with the same reason keeps its first date and
// counts attempts; another reason is new; a failure not met again is
// resolved unless its source could not be seen.
func TestSettleFailures(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	day := func(d int) time.Time { return time.Date(2026, 12, d, 9, 0, 0, 0, time.UTC) }
	bad := state.Failure{Source: "files", ItemID: "bad.ics", Kind: state.FailureUnreadable, Reason: "no BEGIN:VCALENDAR"}
	cal := state.Failure{Source: "cal", ItemID: "x.ics", Kind: "create", Reason: "CRM refused"}
	fixedClock(s, day(1))
	got, err := s.SettleFailures(ctx, "alice", []state.Failure{bad, bad, cal}, nil)
	if err != nil || len(got) != 2 || !got[0].New || !got[1].New || got[0].Attempts != 1 {
		t.Fatalf("first run: %+v, %v; want two new failures with 1 attempt", got, err)
	}
	fixedClock(s, day(2))
	got, _ = s.SettleFailures(ctx, "alice", []state.Failure{bad}, []string{"cal"})
	if got[0].New || got[0].Attempts != 2 || !got[0].FirstSeen.Equal(day(1)) || !got[0].LastSeen.Equal(day(2)) {
		t.Fatalf("second run: %+v, want the same failure since day 1, 2 attempts", got[0])
	}
	list, _ := s.Failures(ctx, "alice")
	if len(list) != 2 {
		t.Fatalf("cal's listing was unknown, its failure must stay: %+v", list)
	}
	changed := bad
	changed.Reason = "line 3: no colon"
	fixedClock(s, day(3))
	got, _ = s.SettleFailures(ctx, "alice", []state.Failure{changed}, nil)
	if !got[0].New || got[0].Attempts != 1 || !got[0].FirstSeen.Equal(day(3)) {
		t.Fatalf("another reason: %+v, want new since day 3", got[0])
	}
	if list, _ = s.Failures(ctx, "alice"); len(list) != 1 || list[0].Reason != changed.Reason {
		t.Fatalf("cal's failure was not met by a run that saw cal: want it resolved, have %+v", list)
	}
	if _, err := s.SettleFailures(ctx, "alice", nil, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.Failures(ctx, "alice"); len(list) != 0 {
		t.Fatalf("nothing failed: want no outstanding failures, have %+v", list)
	}
}
