package statetest

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// A failure met again with the same reason keeps its first date and
// counts attempts; another reason is new; a failure not met again is
// resolved unless its source could not be seen.
func testSettleFailures(t *testing.T, s state.Store) {
	ctx := context.Background()
	bad := state.Failure{Source: "files", ItemID: "bad.ics", Kind: state.FailureUnreadable, Reason: "no BEGIN:VCALENDAR"}
	cal := state.Failure{Source: "cal", ItemID: "x.ics", Kind: "create", Reason: "CRM refused"}
	listing := state.Failure{Source: "mail", Kind: state.FailureListing, Reason: "connection refused"}
	w := openWindow()
	got, err := s.SettleFailures(ctx, "alice", []state.Failure{bad, bad, cal, listing}, nil)
	w = w.close()
	if err != nil || len(got) != 3 {
		t.Fatalf("first run: %+v, %v; want three failures (the same item twice is one)", got, err)
	}
	for _, f := range got {
		if !f.New || f.Attempts != 1 || f.User != "alice" || !f.FirstSeen.Equal(f.LastSeen) {
			t.Errorf("first run: %+v; want new, 1 attempt, first seen = last seen", f)
		}
		w.check(t, "FirstSeen", f.FirstSeen)
	}
	first := got[0].FirstSeen
	if other, _ := s.Failures(ctx, "bob"); len(other) != 0 {
		t.Errorf("bob has alice's failures: %+v", other)
	}

	got, err = s.SettleFailures(ctx, "alice", []state.Failure{bad}, []string{"cal", "mail"})
	if err != nil || len(got) != 1 {
		t.Fatalf("second run: %+v, %v", got, err)
	}
	if got[0].New || got[0].Attempts != 2 || !got[0].FirstSeen.Equal(first) || got[0].LastSeen.Before(first) {
		t.Fatalf("second run: %+v, want the same failure since %v, 2 attempts", got[0], first)
	}
	list, _ := s.Failures(ctx, "alice")
	if len(list) != 3 {
		t.Fatalf("cal's and mail's items were unknown, their failures must stay: %+v", list)
	}
	for _, f := range list {
		if f.Source == "files" && (f.Attempts != 2 || !f.FirstSeen.Equal(first)) {
			t.Errorf("stored failure %+v; want 2 attempts since %v", f, first)
		}
		if f.Source != "files" && f.Attempts != 1 {
			t.Errorf("an unknown source's failure changed: %+v", f)
		}
		if f.FirstSeen.Location() != time.UTC || f.LastSeen.Location() != time.UTC {
			t.Errorf("FirstSeen %v, LastSeen %v: not in UTC", f.FirstSeen, f.LastSeen)
		}
	}

	changed := bad
	changed.Reason = "line 3: no colon"
	got, _ = s.SettleFailures(ctx, "alice", []state.Failure{changed}, []string{"mail"})
	if len(got) != 1 || !got[0].New || got[0].Attempts != 1 || !got[0].FirstSeen.Equal(got[0].LastSeen) {
		t.Fatalf("another reason: %+v, want new, 1 attempt", got)
	}
	list, _ = s.Failures(ctx, "alice")
	if len(list) != 2 {
		t.Fatalf("cal's failure was not met by a run that saw cal: want it resolved, have %+v", list)
	}
	for _, f := range list {
		if f.Source == "files" && f.Reason != changed.Reason {
			t.Errorf("stored reason %q, want %q", f.Reason, changed.Reason)
		}
	}
	if _, err := s.SettleFailures(ctx, "alice", nil, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.Failures(ctx, "alice"); len(list) != 0 {
		t.Fatalf("nothing failed: want no outstanding failures, have %+v", list)
	}
}

// Failures is oldest first; failures first seen in the same second come
// by source, item and kind in byte order.
func testFailuresOrder(t *testing.T, s state.Store) {
	ctx := context.Background()
	in := []state.Failure{
		{Source: "b", ItemID: "2", Kind: "create", Reason: "r"},
		{Source: "a", ItemID: "9", Kind: "create", Reason: "r"},
		{Source: "B", ItemID: "1", Kind: "create", Reason: "r"},
		{Source: "a", ItemID: "10", Kind: "create", Reason: "r"},
		{Source: "a", ItemID: "10", Kind: "unreadable", Reason: "r"},
	}
	if _, err := s.SettleFailures(ctx, "u", in, nil); err != nil {
		t.Fatal(err)
	}
	list, err := s.Failures(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range list {
		got = append(got, f.Source+"/"+f.ItemID+"/"+f.Kind)
	}
	want := []string{"B/1/create", "a/10/create", "a/10/unreadable", "a/9/create", "b/2/create"}
	if len(got) != len(want) {
		t.Fatalf("Failures = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Failures = %v, want %v", got, want)
		}
	}
}
