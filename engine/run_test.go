package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// One unreadable item is new once: later runs report it as still failing
// since its first run, with the number of attempts, and do not count it as
// new again; a new reason is new; once the item is gone it is resolved.
func TestFailuresSettle(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.src.PutItem(adapters.Item{ID: "bad.ics", Unreadable: "bad.ics: VEVENT without DTSTART"})
	_, res := w.run()
	if res.Status != state.StatusPartial || res.NewFailures != 1 {
		t.Fatalf("first run: status %s, %d new failures; want partial with 1 new", res.Status, res.NewFailures)
	}
	_, res = w.run()
	bad := failedOutcome(t, res, "bad.ics")
	if res.Status != state.StatusPartial || res.NewFailures != 0 || bad.Attempts != 2 || bad.FailingSince.IsZero() {
		t.Fatalf("second run: status %s, %d new, outcome %+v; want the same failure, not new, 2 attempts",
			res.Status, res.NewFailures, bad)
	}
	w.src.PutItem(adapters.Item{ID: "bad.ics", Unreadable: "bad.ics: line 3: no colon"})
	if _, res = w.run(); res.NewFailures != 1 {
		t.Fatalf("another reason: %d new failures, want 1", res.NewFailures)
	}
	w.src.DeleteItem("bad.ics")
	if _, res = w.run(); res.Status != state.StatusIdle {
		t.Fatalf("after the bad item is gone: status %s, want idle", res.Status)
	}
	if list, _ := w.st.Failures(context.Background(), "alice"); len(list) != 0 {
		t.Fatalf("outstanding failures after the item is gone: %+v", list)
	}
}

// A run whose every listing failed is journalled with the failure; a run
// that finds nothing to do is journalled as one idle check.
func TestFailedListingsAndIdleChecksAreJournalled(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.run()
	w.src.FailSnapshotAfter = 1
	_, res := w.run()
	if res.Status != state.StatusPartial || res.RunID == 0 || !strings.Contains(failedOutcome(t, res, "").Error, "listing failed") {
		t.Fatalf("failed listing: %+v, want a journalled partial run naming the listing", res)
	}
	w.src.FailSnapshotAfter = 0
	for range 2 {
		if _, res = w.run(); res.Status != state.StatusIdle {
			t.Fatalf("nothing to do: status %s, want idle", res.Status)
		}
	}
	runs, err := w.st.Runs(context.Background(), "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Status != state.StatusIdle || runs[0].Counts["checks"] != 2 ||
		runs[1].Status != state.StatusPartial || !strings.Contains(runs[1].Error+failedKinds(t, w, runs[1].ID), "listing") {
		t.Fatalf("journal: %+v; want the first run, the failed listing, one idle entry of 2 checks", runs)
	}
}

// A run is applied once.
func TestApplyTwiceIsRefused(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	run, err := Start(context.Background(), w.st, w.job)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Apply(context.Background()); err == nil {
		t.Fatal("a second Apply of the same run was accepted")
	}
	if n := len(w.crm.Activities()); n != 4 {
		t.Fatalf("%d activities, want 4", n)
	}
}

func failedOutcome(t *testing.T, res *Result, itemID string) ItemOutcome {
	t.Helper()
	for _, o := range res.Items {
		if o.Outcome == OutcomeFailed && o.ItemID == itemID {
			return o
		}
	}
	t.Fatalf("no failed outcome for %q in %+v", itemID, res.Items)
	return ItemOutcome{}
}

func failedKinds(t *testing.T, w *world, runID int64) string {
	t.Helper()
	items, err := w.st.RunItems(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, it := range items {
		if it.Outcome == OutcomeFailed {
			kinds = append(kinds, it.Kind)
		}
	}
	return strings.Join(kinds, ",")
}

// An item whose times no store can hold (year 10000) is a problem of its
// own; before, it failed the whole batch's link write and the run.
func TestUnstorableTimeIsReportedAndNeighboursImport(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	far := adapters.Raster{Start: time.Date(10000, 1, 1, 9, 0, 0, 0, time.UTC), End: time.Date(10000, 1, 1, 10, 0, 0, 0, time.UTC)}
	w.src.PutItem(adapters.Item{ID: "far.eml", Key: "mid:far", Kind: adapters.KindMessage, Subject: "far", From: "bob@example.org", Raster: adapters.Raster{Start: far.Start}})
	p, res := w.run()
	if len(p.Problems) != 1 || p.Problems[0].ItemID != "far.eml" || !strings.Contains(p.Problems[0].Reason, "10000") {
		t.Fatalf("problems %+v, want far.eml named with its year", p.Problems)
	}
	if res.Counts["create"] != 4 || len(w.crm.Activities()) != 4 {
		t.Fatalf("neighbours: %v, CRM holds %d, want 4 created", res.Counts, len(w.crm.Activities()))
	}
}
