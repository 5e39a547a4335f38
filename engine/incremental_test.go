package engine

import (
	"context"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine/state"
)

// incremental wraps a memory store as a source with a change log: with a
// cursor it emits only the ids in changed (Complete=false); an expired
// cursor gets CursorInvalid.
type incremental struct {
	*memory.Store
	changed   map[string]bool
	expired   bool
	snapshots []string // the cursor of every Snapshot call
}

func (s *incremental) Info(ctx context.Context) (adapters.Info, error) {
	i, err := s.Store.Info(ctx)
	i.Capabilities.Incremental = true
	return i, err
}

func (s *incremental) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.snapshots = append(s.snapshots, req.Cursor)
	if req.Cursor == "" {
		end, err := s.Store.Snapshot(ctx, req, emit)
		end.Cursor = "c1"
		return end, err
	}
	if s.expired {
		return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeCursorInvalid, "token expired")
	}
	var n int64
	for id := range s.changed {
		it, ok := s.Item(id)
		if !ok {
			it = adapters.Item{ID: id, Deleted: true}
		}
		if err := emit(it); err != nil {
			return adapters.SnapshotEnd{}, err
		}
		n++
	}
	return adapters.SnapshotEnd{Count: n, Cursor: "c2", Complete: false}, nil
}

func TestIncrementalSnapshots(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	seedAll(w)
	w.run()
	if cur, _ := w.st.Cursor(context.Background(), "alice", "cal"); cur != "c1" {
		t.Fatalf("cursor after the first run: %q", cur)
	}
	// Nothing changed: an empty incremental listing deletes nothing.
	p, _ := w.run()
	if len(p.Actions) != 0 || src.snapshots[len(src.snapshots)-1] != "c1" {
		t.Fatalf("empty change log: %+v (cursors %v)", p.Actions, src.snapshots)
	}
	// A CRM-side move of an item the change log does not mention still
	// goes to the groupware, based on the stored version.
	a := w.activityByKey("ical:e1")
	a.Raster = span("2026-12-03T16:00:00Z", 1)
	w.crm.PutActivity(a)
	p, _ = w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActUpdateGroupware {
		t.Fatalf("%+v", p.Actions)
	}
	// The plan names it as the CRM does, not by its key.
	if got := p.Actions[0]; got.Subject != a.Subject || got.Type != a.Type || a.Subject == "" {
		t.Errorf("a CRM-side change is shown as %q (%s), want %q (%s)", got.Subject, got.Type, a.Subject, a.Type)
	}
	if it, _ := w.src.Item("e1"); !it.Raster.Equal(a.Raster) {
		t.Fatal("not written back")
	}
	// A tombstone is reported, not propagated.
	src.changed["e2"] = true
	w.src.DeleteItem("e2")
	p, _ = w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActSkip || len(w.crm.Activities()) != 4 {
		t.Fatalf("%+v", p.Actions)
	}
	// An expired cursor means a full snapshot, not "everything deleted".
	src.expired = true
	p = w.plan()
	if n := len(src.snapshots); src.snapshots[n-1] != "" || src.snapshots[n-2] == "" {
		t.Fatalf("no full resync after an invalid cursor: %v", src.snapshots)
	}
	for _, a := range p.Actions {
		if a.ItemID != "e2" {
			t.Fatalf("full resync planned %+v", a)
		}
	}
}

func TestCursorIsHeldWhileItemsAreDeselected(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	seedAll(w)
	p := w.plan()
	p.DeselectItem("e1")
	if _, err := execute(context.Background(), w.st, w.job, p); err != nil {
		t.Fatal(err)
	}
	if cur, _ := w.st.Cursor(context.Background(), "alice", "cal"); cur != "" {
		t.Fatalf("cursor %q saved although e1 still needs importing", cur)
	}
}

// A groupware edit that leaves the times alone (a new description) gives
// the item a new version. The link must learn it then: a later CRM move
// is written with If-Match of the stored version, and an incremental
// snapshot that no longer mentions the item cannot supply the new one.
// Otherwise the write-back fails as a conflict on every run, forever.
func TestVersionOnlyChangeIsRecordedForLaterWriteBack(t *testing.T) {
	w, src := editedWithoutNewTimes(t)
	p, res := w.run()
	if res.Status != state.StatusIdle {
		t.Fatalf("version-only change: run %s, plan %v; want an idle check", res.Status, kinds(p))
	}
	for _, a := range p.Actions {
		if a.Kind != ActLink {
			t.Errorf("version-only change planned %s (%s), want at most a silent link refresh", a.Kind, a.Reason)
		}
	}

	movedInCRMIsWrittenBack(w, src)
}

// editedWithoutNewTimes imports e1 from an incremental source, then gives
// it a new version with the same times and lists it as changed.
func editedWithoutNewTimes(t *testing.T) (*world, *incremental) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.run()
	it, _ := w.src.Item("e1")
	it.Body = "agenda attached"
	w.src.PutItem(it) // new version, same times
	src.changed = map[string]bool{"e1": true}
	return w, src
}

// movedInCRMIsWrittenBack moves e1's activity in the CRM, with the source
// no longer mentioning e1, and checks the write-back lands.
func movedInCRMIsWrittenBack(w *world, src *incremental) {
	w.t.Helper()
	src.changed = map[string]bool{}
	act := w.activityByKey("ical:e1")
	act.Raster = span("2026-12-03T14:00:00Z", 1)
	w.crm.PutActivity(act)
	p, res := w.run()
	if k := kinds(p); k[ActUpdateGroupware] != 1 || res.Status != "ok" {
		w.t.Fatalf("CRM move after a version-only change: plan %v, run %s %+v", k, res.Status, res.Items)
	}
	if got, _ := w.src.Item("e1"); !got.Raster.Equal(act.Raster) {
		w.t.Fatalf("groupware item has %v, want the CRM's %v", got.Raster, act.Raster)
	}
}

// A run with nothing to apply still moves forward: the idle check saves the new
// cursor and the new versions, so the next incremental listing does not
// repeat the same changes and a later write-back has the right If-Match.
func TestSettleSavesCursorAndVersionsWithoutWrites(t *testing.T) {
	w, src := editedWithoutNewTimes(t)
	p := w.plan()
	if p.Writes() != 0 {
		t.Fatalf("a version-only change plans %d writes", p.Writes())
	}
	if res, err := (&Run{st: w.st, job: w.job, plan: p}).Apply(context.Background()); err != nil || res.Status != state.StatusIdle {
		t.Fatalf("apply: %+v, %v; want an idle check", res, err)
	}
	if cur, _ := w.st.Cursor(context.Background(), "alice", "cal"); cur != "c2" {
		t.Fatalf("cursor after the idle check: %q, want the new one", cur)
	}
	movedInCRMIsWrittenBack(w, src)
}

// A report in an area the user did not choose (a deletion in the
// groupware is area resync) is still shown and never holds the cursor:
// before, it was deselected with its area and froze the cursor for good.
func TestReportsNeverHoldTheCursor(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	seedAll(w)
	w.run()
	// Every kind is listed (so the cursor may move), but resync is left out.
	w.job.Areas = []Area{AreaEmails, AreaTasks, AreaAppointments}
	src.changed["e2"] = true
	w.src.DeleteItem("e2")
	p, _ := w.run()
	if len(p.Actions) != 1 || !p.Actions[0].IsReport() || !p.Actions[0].Selected {
		t.Fatalf("want the deletion reported: %+v", p.Actions)
	}
	if err := p.Deselect(p.Actions[0].ID); err == nil {
		t.Error("a report was deselected")
	}
	if cur, _ := w.st.Cursor(context.Background(), "alice", "cal"); cur != "c2" {
		t.Fatalf("cursor %q after a run with only a report, want c2", cur)
	}
}
