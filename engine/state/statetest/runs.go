package statetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

func testRunJournal(t *testing.T, s state.Store) {
	ctx := context.Background()
	w := openWindow()
	first, err := s.BeginRun(ctx, "ann", false)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.BeginRun(ctx, "bob", true)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.BeginRun(ctx, "ann", true)
	if err != nil {
		t.Fatal(err)
	}
	if !(first < other && other < second) {
		t.Errorf("run ids %d, %d, %d do not increase with every BeginRun", first, other, second)
	}
	at := mustTime(t, "2025-06-01T08:00:30.5+02:00")
	if err := s.RecordItems(ctx, []state.ItemResult{
		{RunID: first, ActionID: "a1", Source: "cal", ItemID: "ev-1.ics", Kind: "create", Outcome: "ok", At: at},
		{RunID: first, ActionID: "a2", Source: "cal", ItemID: "bad.ics", Kind: "unreadable", Outcome: "failed",
			Error: "line 3: DTSTART missing"},
		{RunID: other, ActionID: "b1", Source: "mail", ItemID: "INBOX/1", Kind: "create", Outcome: "ok"},
	}); err != nil {
		t.Fatal(err)
	}
	// A second call appends after the first one's results.
	if err := s.RecordItems(ctx, []state.ItemResult{
		{RunID: first, ActionID: "a3", Source: "crm", ItemID: "A9", Kind: "update-crm", Outcome: "skipped"},
	}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{"created": 1, "failed": 1, "skipped": 1}
	if err := s.FinishRun(ctx, first, state.StatusPartial, counts, ""); err != nil {
		t.Fatal(err)
	}
	w = w.close()

	items, err := s.RunItems(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("RunItems(first) = %+v; want 3 results", items)
	}
	w.check(t, "a stamped At", items[1].At)
	w.check(t, "a stamped At", items[2].At)
	wantItems := []state.ItemResult{
		{RunID: first, ActionID: "a1", Source: "cal", ItemID: "ev-1.ics", Kind: "create", Outcome: "ok", At: mustTime(t, "2025-06-01T06:00:30Z")},
		{RunID: first, ActionID: "a2", Source: "cal", ItemID: "bad.ics", Kind: "unreadable", Outcome: "failed",
			Error: "line 3: DTSTART missing", At: items[1].At},
		{RunID: first, ActionID: "a3", Source: "crm", ItemID: "A9", Kind: "update-crm", Outcome: "skipped", At: items[2].At},
	}
	if !reflect.DeepEqual(items, wantItems) {
		t.Errorf("RunItems:\n got %+v\nwant %+v", items, wantItems)
	}
	if items, err := s.RunItems(ctx, other); err != nil || len(items) != 1 || items[0].ActionID != "b1" {
		t.Errorf("RunItems(other) = %+v, %v; want b1 alone", items, err)
	}
	if items, err := s.RunItems(ctx, second+1000); err != nil || len(items) != 0 {
		t.Errorf("RunItems(unknown run) = %+v, %v; want none, no error", items, err)
	}

	runs, err := s.Runs(ctx, "ann", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("Runs(ann) = %+v; want 2", runs)
	}
	for _, r := range runs {
		w.check(t, fmt.Sprintf("run %d Started", r.ID), r.Started)
	}
	w.check(t, "Finished", runs[1].Finished)
	wantRuns := []state.Run{
		{ID: second, User: "ann", Started: runs[0].Started, DryRun: true, Status: state.StatusRunning, Counts: map[string]int{}},
		{ID: first, User: "ann", Started: runs[1].Started, Finished: runs[1].Finished, Status: state.StatusPartial, Counts: counts},
	}
	if !reflect.DeepEqual(runs, wantRuns) {
		t.Errorf("Runs(ann):\n got %+v\nwant %+v", runs, wantRuns)
	}
	if one, err := s.Runs(ctx, "ann", 1); err != nil || len(one) != 1 || one[0].ID != second {
		t.Errorf("Runs(ann, 1) = %+v, %v; want the newest, %d", one, err, second)
	}
	all, err := s.Runs(ctx, "", 2)
	if err != nil || len(all) != 2 || all[0].ID != second || all[1].ID != other {
		t.Errorf("Runs(all, 2) = %+v, %v; want the two newest: %d, %d", all, err, second, other)
	}
	if all, err := s.Runs(ctx, "", 0); err != nil || len(all) != 3 {
		t.Errorf("Runs(all, no limit) = %d runs, %v; want 3", len(all), err)
	}
	if none, err := s.Runs(ctx, "nobody", 0); err != nil || len(none) != 0 {
		t.Errorf("Runs(nobody) = %+v, %v", none, err)
	}
}

func testRunJournalRejects(t *testing.T, s state.Store) {
	ctx := context.Background()
	id, err := s.BeginRun(ctx, "ann", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginRun(ctx, "", false); err == nil {
		t.Error("BeginRun with an empty user succeeded")
	}
	if err := s.FinishRun(ctx, id, state.StatusRunning, nil, ""); err == nil {
		t.Error("FinishRun with status running succeeded")
	}
	if err := s.FinishRun(ctx, id, state.StatusIdle, nil, ""); err == nil {
		t.Error("FinishRun with status idle succeeded")
	}
	if err := s.FinishRun(ctx, id+100, state.StatusOK, nil, ""); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("FinishRun of an unknown run = %v, want run not found", err)
	}
	err = s.RecordItems(ctx, []state.ItemResult{
		{RunID: id, ActionID: "a1", ItemID: "ok-item", Outcome: "ok"},
		{RunID: id + 100, ActionID: "a2", ItemID: "orphan", Outcome: "ok"},
	})
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "orphan") {
		t.Errorf("RecordItems into an unknown run = %v; want run not found, naming the result", err)
	}
	if items, _ := s.RunItems(ctx, id); len(items) != 0 {
		t.Errorf("a failed RecordItems kept %d results, want none", len(items))
	}
	runs, _ := s.Runs(ctx, "ann", 0)
	if len(runs) != 1 || runs[0].Status != state.StatusRunning {
		t.Errorf("rejected calls changed the journal: %+v", runs)
	}
}

func testFailedRun(t *testing.T, s state.Store) {
	ctx := context.Background()
	id, err := s.BeginRun(ctx, "ann", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, state.StatusFailed, nil, "crm: 401 unauthorized"); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, "ann", 1)
	if err != nil || len(runs) != 1 || runs[0].Status != state.StatusFailed || runs[0].Error != "crm: 401 unauthorized" ||
		runs[0].Finished.IsZero() || runs[0].Counts == nil {
		t.Errorf("failed run = %+v, %v; want failed with its error, finished, empty counts", runs, err)
	}
}

// An executed batch's links and journal go in together or not at all.
func testApplyBatch(t *testing.T, s state.Store) {
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "u", false)
	if err != nil {
		t.Fatal(err)
	}
	good := state.Link{User: "u", Source: "s", ItemID: "i1", Kind: adapters.KindEvent, ActivityID: "A1"}
	res := state.ItemResult{RunID: run, ActionID: "a1", Source: "s", ItemID: "i1", Kind: "create", Outcome: "ok"}
	if err := s.ApplyBatch(ctx, []state.Link{good}, []state.ItemResult{res}); err != nil {
		t.Fatal(err)
	}
	bad := state.Link{User: "u", Source: "s", ItemID: "i3", Kind: "nonsense", ActivityID: "A3"}
	second := state.Link{User: "u", Source: "s", ItemID: "i2", Kind: adapters.KindEvent, ActivityID: "A2"}
	err = s.ApplyBatch(ctx, []state.Link{second, bad}, []state.ItemResult{{RunID: run, ActionID: "a2", Source: "s", ItemID: "i2", Kind: "create", Outcome: "ok"}})
	if err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Fatalf("bad link: err = %v, want it named", err)
	}
	err = s.ApplyBatch(ctx, []state.Link{second}, []state.ItemResult{{RunID: run + 99, ActionID: "a2"}})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown run: err = %v, want run not found", err)
	}
	var ids []string
	if err := s.Links(ctx, "u", func(l state.Link) error { ids = append(ids, l.ItemID); return nil }); err != nil {
		t.Fatal(err)
	}
	items, err := s.RunItems(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != "i1" || len(items) != 1 || items[0].ActionID != "a1" {
		t.Fatalf("after one good and two failed batches: links %v, journal %+v; want only the first batch", ids, items)
	}
	// Either half alone is fine.
	if err := s.ApplyBatch(ctx, []state.Link{second}, nil); err != nil {
		t.Errorf("ApplyBatch with links only: %v", err)
	}
	if err := s.ApplyBatch(ctx, nil, []state.ItemResult{{RunID: run, ActionID: "a3"}}); err != nil {
		t.Errorf("ApplyBatch with results only: %v", err)
	}
	if err := s.ApplyBatch(ctx, nil, nil); err != nil {
		t.Errorf("empty ApplyBatch: %v", err)
	}
	if items, _ := s.RunItems(ctx, run); len(items) != 2 || items[1].ActionID != "a3" {
		t.Errorf("journal after the halves: %+v", items)
	}
}

// Consecutive idle checks share one journal entry; a real run in between
// starts a new one.
func testRecordIdle(t *testing.T, s state.Store) {
	ctx := context.Background()
	w := openWindow()
	a, err := s.RecordIdle(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.RecordIdle(ctx, "alice")
	if err != nil || b != a {
		t.Fatalf("second idle check: entry %d (%v), want the first's %d", b, err, a)
	}
	w = w.close()
	runs, _ := s.Runs(ctx, "alice", 0)
	if len(runs) != 1 || runs[0].ID != a || runs[0].Status != state.StatusIdle || runs[0].Counts["checks"] != 2 {
		t.Fatalf("runs = %+v, want one idle entry with 2 checks", runs)
	}
	w.check(t, "idle Started", runs[0].Started)
	w.check(t, "idle Finished", runs[0].Finished)
	if runs[0].Finished.Before(runs[0].Started) {
		t.Errorf("idle entry finished %v before it started %v", runs[0].Finished, runs[0].Started)
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
	if again, _ := s.RecordIdle(ctx, "alice"); again != c {
		t.Errorf("alice's idle check after bob's: entry %d, want %d (entries are per user)", again, c)
	}
	if _, err := s.RecordIdle(ctx, ""); err == nil {
		t.Error("RecordIdle with an empty user succeeded")
	}
}

func testConcurrent(t *testing.T, s state.Store) {
	ctx := context.Background()
	const workers, rounds = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*6)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("user-%d", w%3) // users shared between workers
			for r := range rounds {
				if err := s.PutLinks(ctx, batchOf(user, fmt.Sprintf("w%d-r%d", w, r), 20)); err != nil {
					errs <- err
				}
				if err := s.Links(ctx, user, func(state.Link) error { return nil }); err != nil {
					errs <- err
				}
				if err := s.SetCursor(ctx, user, fmt.Sprintf("src-%d", w), fmt.Sprint(r)); err != nil {
					errs <- err
				}
				id, err := s.BeginRun(ctx, user, false)
				if err == nil {
					err = s.RecordItems(ctx, []state.ItemResult{{RunID: id, ItemID: "x", Outcome: "ok"}})
				}
				if err == nil {
					err = s.ApplyBatch(ctx, batchOf(user, fmt.Sprintf("ab-w%d-r%d", w, r), 3),
						[]state.ItemResult{{RunID: id, ItemID: "y", Outcome: "ok"}})
				}
				if err == nil {
					err = s.FinishRun(ctx, id, state.StatusOK, map[string]int{"ok": 2}, "")
				}
				if err != nil {
					errs <- err
				}
				if _, err := s.SettleFailures(ctx, user, []state.Failure{{Source: "s", ItemID: "bad", Kind: "unreadable", Reason: "r"}}, nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for u := range 3 {
		user := fmt.Sprintf("user-%d", u)
		total += len(collectLinks(t, s, user))
		if c, _ := s.Cursors(ctx, user); len(c) != 2 {
			t.Errorf("%s has %d cursors, want 2", user, len(c))
		}
		if f, _ := s.Failures(ctx, user); len(f) != 1 || f[0].Attempts != 2*rounds {
			t.Errorf("%s's failure after %d settles: %+v", user, 2*rounds, f)
		}
	}
	if total != workers*rounds*23 {
		t.Errorf("%d links after concurrent writes, want %d", total, workers*rounds*23)
	}
	runs, _ := s.Runs(ctx, "", 0)
	if len(runs) != workers*rounds {
		t.Errorf("%d runs, want %d", len(runs), workers*rounds)
	}
	for _, r := range runs {
		if items, _ := s.RunItems(ctx, r.ID); len(items) != 2 || items[0].ItemID != "x" || items[1].ItemID != "y" {
			t.Errorf("run %d journal = %+v, want x then y", r.ID, items)
		}
	}
}
