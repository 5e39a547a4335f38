package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine/state"
)

// countingCRM counts the activities a memory CRM hands the planner, by
// either listing.
type countingCRM struct {
	*memory.Store
	listed int
}

func (c *countingCRM) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	return c.Store.ListActivities(ctx, q, func(a adapters.Activity) error { c.listed++; return emit(a) })
}

func (c *countingCRM) ListChanges(ctx context.Context, q adapters.ChangeQuery, emit func(adapters.Activity) error) (adapters.ChangeEnd, error) {
	return c.Store.ListChanges(ctx, q, func(a adapters.Activity) error { c.listed++; return emit(a) })
}

// countingStore counts full walks over the links.
type countingStore struct {
	state.Store
	walks, found int
}

func (s *countingStore) Links(ctx context.Context, user string, fn func(state.Link) error) error {
	s.walks++
	return s.Store.Links(ctx, user, fn)
}

func (s *countingStore) FindLinks(ctx context.Context, user string, q state.LinkQuery, fn func(state.Link) error) error {
	return s.Store.FindLinks(ctx, user, q, func(l state.Link) error { s.found++; return fn(l) })
}

// changeWorld is a world whose CRM keeps a change cursor and whose source
// lists by change log, settled: a first run creates, and a second lists
// once more what the first wrote (its cursor is from before its writes).
func changeWorld(t *testing.T) (*world, *countingCRM, *countingStore) {
	w := newWorld(t)
	w.crm.ChangeCursor = true
	crm := &countingCRM{Store: w.crm}
	st := &countingStore{Store: w.st}
	w.st, w.job.CRM = st, crm
	w.job.Sources[0].Source = &incremental{Store: w.src, changed: map[string]bool{}}
	seedAll(w)
	if _, res := w.run(); res.Status != "ok" {
		t.Fatalf("first run: %+v", res)
	}
	crm.listed = 0
	if p, res := w.run(); len(p.Actions) != 0 || res.Status != state.StatusIdle || crm.listed != 4 {
		t.Fatalf("second run: %d actions, %s, listed %d, want the 4 activities the first run wrote", len(p.Actions), res.Status, crm.listed)
	}
	crm.listed, st.walks, st.found = 0, 0, 0
	return w, crm, st
}

// A run with nothing changed lists no activity and walks no link.
func TestUnchangedCRMIsNotListed(t *testing.T) {
	w, crm, st := changeWorld(t)
	cur, _ := w.st.Cursor(context.Background(), "alice", crmCursorName)
	if _, ok := parseCRMCursor(cur); !ok {
		t.Fatalf("no CRM cursor after a settled run: %q", cur)
	}
	p, res := w.run()
	if len(p.Actions) != 0 || res.Status != state.StatusIdle {
		t.Fatalf("nothing changed, but: %+v %s", p.Actions, res.Status)
	}
	if crm.listed != 0 || st.walks != 0 || st.found != 0 {
		t.Fatalf("unchanged CRM: %d activities listed, %d walks over all links, %d links looked up; want none", crm.listed, st.walks, st.found)
	}
	if p.Unchanged != 0 || p.crm.full {
		t.Fatalf("an idle incremental run compared %d links (full %v)", p.Unchanged, p.crm.full)
	}
}

// A user's areas (configured, or --areas) do not keep the CRM from being
// listed by change: the cursor carries them, and a run of other areas
// lists in full once, since the runs before it passed over changes of
// areas they did not look at.
func TestAreasKeepTheirOwnCRMCursor(t *testing.T) {
	w, crm, st := changeWorld(t)
	w.job.Areas = []Area{AreaAppointments, AreaEmails}
	if p, _ := w.run(); !p.crm.full || crm.listed != 4 {
		t.Fatalf("first run of other areas: full %v, %d listed; want a full listing of the 4", p.crm.full, crm.listed)
	}
	cur, _ := w.st.Cursor(context.Background(), "alice", crmCursorName)
	if c, ok := parseCRMCursor(cur); !ok || c.scope != "emails,appointments" {
		t.Fatalf("cursor %q, want one for emails,appointments", cur)
	}
	crm.listed, st.walks = 0, 0
	p, res := w.run()
	if p.crm.full || crm.listed != 0 || st.walks != 0 || len(p.Actions) != 0 || res.Status != state.StatusIdle {
		t.Fatalf("no-change run of the same areas: full %v, %d listed, %d link walks, %d actions, %s",
			p.crm.full, crm.listed, st.walks, len(p.Actions), res.Status)
	}
	// A time moved in the CRM meanwhile, in an area the narrowed runs
	// leave out (a task: tasks are not among the areas).
	task := w.activityByKey("ical:t1")
	task.Raster = adapters.Raster{Due: mustTime("2026-12-09T17:00:00Z")}
	w.crm.PutActivity(task)
	w.run()
	w.job.Areas = nil
	crm.listed = 0
	if p, _ := w.run(); !p.crm.full || crm.listed != 4 || kinds(p)[ActUpdateGroupware] != 1 {
		t.Fatalf("back to every area: full %v, %d listed, actions %v; want a full listing that finds the task's change", p.crm.full, crm.listed, kinds(p))
	}
}

// A time moved in the CRM is listed alone and written to the groupware
// item that the source's change log does not mention.
func TestCRMTimeEditFlowsToSourceIncrementally(t *testing.T) {
	w, crm, st := changeWorld(t)
	a := w.activityByKey("ical:e1")
	a.Raster = span("2026-12-03T15:00:00Z", 2)
	w.crm.PutActivity(a)
	p, res := w.run()
	if k := kinds(p); len(p.Actions) != 1 || k[ActUpdateGroupware] != 1 || res.Status != "ok" {
		t.Fatalf("plan %v, run %s", k, res.Status)
	}
	if crm.listed != 1 || st.walks != 0 || st.found != 1 {
		t.Fatalf("listed %d activities, walked all links %d times, looked up %d links; want 1, 0, 1", crm.listed, st.walks, st.found)
	}
	if it, _ := w.src.Item("e1"); !it.Raster.Equal(a.Raster) {
		t.Fatalf("groupware has %v, want the CRM's %v", it.Raster, a.Raster)
	}
	crm.listed = 0
	if p, _ := w.run(); len(p.Actions) != 0 || crm.listed != 0 {
		t.Fatalf("after the write-back: %d actions, %d listed", len(p.Actions), crm.listed)
	}
}

// A CRM change that was not applied (deselected here) keeps the cursor
// before it: the next run lists it and plans it again.
func TestUnappliedCRMChangeHoldsTheCursor(t *testing.T) {
	w, crm, _ := changeWorld(t)
	a := w.activityByKey("ical:e1")
	a.Raster = span("2026-12-03T15:00:00Z", 2)
	w.crm.PutActivity(a)
	b := w.activityByKey("ical:t1") // a later change, applied
	b.Raster = adapters.Raster{Due: mustTime("2026-12-06T17:00:00Z")}
	w.crm.PutActivity(b)
	run, err := Start(context.Background(), w.st, w.job)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range run.Plan().Actions {
		if act.ActivityID == a.ID {
			if err := run.Plan().Deselect(act.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	crm.listed = 0
	p, _ := w.run()
	if len(p.Actions) != 1 || p.Actions[0].ActivityID != a.ID || p.Actions[0].Kind != ActUpdateGroupware {
		t.Fatalf("the deselected CRM change is not planned again: %+v", p.Actions)
	}
	if crm.listed != 2 {
		t.Fatalf("listed %d activities, want the held one and the one after it", crm.listed)
	}
}

// A deletion in the CRM leaves no change behind: the incremental run does
// not see it, the full check (asked, or due) does.
func TestCRMDeletionIsFoundByTheFullCheck(t *testing.T) {
	w, crm, st := changeWorld(t)
	gone := w.activityByKey("ical:e2")
	w.crm.DeleteActivity(gone.ID)
	deleted := func(p *Plan) int {
		n := 0
		for _, a := range p.Actions {
			if a.ActivityID == gone.ID && strings.Contains(a.Reason, "deleted in the CRM") {
				n++
			}
		}
		return n
	}
	if p := w.plan(); deleted(p) != 0 || p.crm.full {
		t.Fatalf("an incremental plan cannot know of the deletion: %+v", p.Actions)
	}
	w.job.FullCRM = true
	p := w.plan()
	if deleted(p) != 1 || !p.crm.full || crm.listed != 3 || st.walks != 1 {
		t.Fatalf("--full: %d deletion reports, listed %d, %d link walks: %+v", deleted(p), crm.listed, st.walks, p.Actions)
	}
	w.job.FullCRM = false
	w.job.CRMFullEvery = time.Nanosecond // the last full listing is "long" ago
	if p := w.plan(); deleted(p) != 1 {
		t.Fatalf("a due full check missed the deletion: %+v", p.Actions)
	}
	w.job.CRMFullEvery = -1
	if p := w.plan(); deleted(p) != 0 {
		t.Fatal("full check with CRMFullEvery < 0 and no FullCRM")
	}
}

func TestCRMCursorText(t *testing.T) {
	for _, c := range []crmCursor{
		{change: 42, lastFull: time.Unix(1_800_000_000, 0).UTC()},
		{change: 7, lastFull: time.Unix(1_800_000_000, 0).UTC(), scope: "emails,appointments"},
	} {
		if got, ok := parseCRMCursor(c.String()); !ok || got != c {
			t.Fatalf("round trip of %v: %v %v", c, got, ok)
		}
	}
	for _, bad := range []string{"", "42", "v1 x 0", "v2 1 2", "v1 -1 0", "v1 1 2 emails x"} {
		if _, ok := parseCRMCursor(bad); ok {
			t.Errorf("%q read as a cursor", bad)
		}
	}
}
