package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

func TestRunJournal(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := mustTime(t, "2025-06-01T08:00:00Z")
	fixedClock(s, t0)

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
	at := mustTime(t, "2025-06-01T08:00:30.5Z")
	if err := s.RecordItems(ctx, []state.ItemResult{
		{RunID: first, ActionID: "a1", Source: "cal", ItemID: "ev-1.ics", Kind: "create", Outcome: "ok", At: at},
		{RunID: first, ActionID: "a2", Source: "cal", ItemID: "bad.ics", Kind: "unreadable", Outcome: "failed",
			Error: "line 3: DTSTART missing"},
	}); err != nil {
		t.Fatal(err)
	}
	// A second call appends after the first one's results.
	if err := s.RecordItems(ctx, []state.ItemResult{
		{RunID: first, ActionID: "a3", Source: "crm", ItemID: "A9", Kind: "update-crm", Outcome: "skipped"},
	}); err != nil {
		t.Fatal(err)
	}

	t1 := t0.Add(2 * time.Minute)
	fixedClock(s, t1)
	counts := map[string]int{"created": 1, "failed": 1, "skipped": 1}
	if err := s.FinishRun(ctx, first, state.StatusPartial, counts, ""); err != nil {
		t.Fatal(err)
	}

	items, err := s.RunItems(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	wantItems := []state.ItemResult{
		{RunID: first, ActionID: "a1", Source: "cal", ItemID: "ev-1.ics", Kind: "create", Outcome: "ok", At: at.Truncate(time.Second)},
		{RunID: first, ActionID: "a2", Source: "cal", ItemID: "bad.ics", Kind: "unreadable", Outcome: "failed",
			Error: "line 3: DTSTART missing", At: t0},
		{RunID: first, ActionID: "a3", Source: "crm", ItemID: "A9", Kind: "update-crm", Outcome: "skipped", At: t0},
	}
	if !reflect.DeepEqual(items, wantItems) {
		t.Errorf("RunItems:\n got %+v\nwant %+v", items, wantItems)
	}

	runs, err := s.Runs(ctx, "ann", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantRuns := []state.Run{
		{ID: second, User: "ann", Started: t0, DryRun: true, Status: state.StatusRunning, Counts: map[string]int{}},
		{ID: first, User: "ann", Started: t0, Finished: t1, Status: state.StatusPartial, Counts: counts},
	}
	if !reflect.DeepEqual(runs, wantRuns) {
		t.Errorf("Runs(ann):\n got %+v\nwant %+v", runs, wantRuns)
	}
	all, err := s.Runs(ctx, "", 2)
	if err != nil || len(all) != 2 || all[0].ID != second || all[1].ID != other {
		t.Errorf("Runs(all, 2) = %+v, %v; want the two newest: %d, %d", all, err, second, other)
	}
}

func TestRunJournalRejectsBadCalls(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
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
	if err := s.FinishRun(ctx, id+100, state.StatusOK, nil, ""); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("FinishRun of an unknown run = %v, want ErrRunNotFound", err)
	}
	err = s.RecordItems(ctx, []state.ItemResult{
		{RunID: id, ActionID: "a1", ItemID: "ok-item", Outcome: "ok"},
		{RunID: id + 100, ActionID: "a2", ItemID: "orphan", Outcome: "ok"},
	})
	if !errors.Is(err, ErrRunNotFound) || !strings.Contains(err.Error(), "orphan") {
		t.Errorf("RecordItems into an unknown run = %v; want ErrRunNotFound naming the result", err)
	}
	if items, _ := s.RunItems(ctx, id); len(items) != 0 {
		t.Errorf("a failed RecordItems kept %d results, want none", len(items))
	}
}

func TestFailedRunKeepsItsError(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, _ := s.BeginRun(ctx, "ann", false)
	if err := s.FinishRun(ctx, id, state.StatusFailed, nil, "crm: 401 unauthorized"); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, "ann", 1)
	if err != nil || len(runs) != 1 || runs[0].Status != state.StatusFailed || runs[0].Error != "crm: 401 unauthorized" || runs[0].Finished.IsZero() {
		t.Errorf("failed run = %+v, %v", runs, err)
	}
}

// A process that dies mid-run never calls FinishRun: after reopening, the
// run must still be there, marked running with no finish time, with the
// results it recorded before dying.
func TestUnfinishedRunSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.BeginRun(ctx, "ann", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordItems(ctx, []state.ItemResult{{RunID: id, ActionID: "a1", ItemID: "x", Kind: "create", Outcome: "ok"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Runs(ctx, "ann", 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs after reopen = %+v, %v", runs, err)
	}
	if r := runs[0]; r.ID != id || r.Status != state.StatusRunning || !r.Finished.IsZero() {
		t.Errorf("unfinished run after reopen = %+v; want status running, zero Finished", r)
	}
	if items, err := s.RunItems(ctx, id); err != nil || len(items) != 1 || items[0].ItemID != "x" {
		t.Errorf("RunItems after reopen = %+v, %v", items, err)
	}
}

// An executed batch's links and journal go in together or not at all.
func TestApplyBatchWritesLinksAndResultsAtomically(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
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
	if !errors.Is(err, ErrRunNotFound) {
		t.Fatalf("unknown run: err = %v, want ErrRunNotFound", err)
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
}
