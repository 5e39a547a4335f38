package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// The journal's errors for an unknown run wrap ErrRunNotFound (the
// conformance suite checks only their text).
func TestUnknownRunWrapsErrRunNotFound(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.BeginRun(ctx, "ann", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id+100, state.StatusOK, nil, ""); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("FinishRun of an unknown run = %v, want ErrRunNotFound", err)
	}
	err = s.RecordItems(ctx, []state.ItemResult{{RunID: id + 100, ActionID: "a2", ItemID: "orphan", Outcome: "ok"}})
	if !errors.Is(err, ErrRunNotFound) {
		t.Errorf("RecordItems into an unknown run = %v; want ErrRunNotFound", err)
	}
	err = s.ApplyBatch(ctx, nil, []state.ItemResult{{RunID: id + 100, ActionID: "a2"}})
	if !errors.Is(err, ErrRunNotFound) {
		t.Errorf("ApplyBatch into an unknown run = %v; want ErrRunNotFound", err)
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
