package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// twoCalendars gives the world a second calendar source, cal-b, listed
// before cal-a, each holding one copy of the same invitation (one UID)
// with other times.
func twoCalendars(t *testing.T, first, second string) (*world, *memory.Store, *memory.Store) {
	w := newWorld(t)
	a, b := memory.NewStore(), memory.NewStore()
	srcs := map[string]*memory.Store{"cal-a": a, "cal-b": b}
	w.job.Sources = []NamedSource{{Name: first, Source: srcs[first]}, {Name: second, Source: srcs[second]}}
	w.job.ExportTo = ""
	copyA := event("inv", span("2026-12-03T09:00:00Z", 1))
	copyA.ID = "personal/inv.ics"
	copyB := copyA
	copyB.ID, copyB.Raster = "shared/inv.ics", span("2026-12-03T15:00:00Z", 1)
	a.PutItem(copyA)
	b.PutItem(copyB)
	return w, a, b
}

func duplicates(p *Plan) []*Action {
	var out []*Action
	for _, a := range p.Actions {
		if a.Kind == ActSkip && strings.Contains(a.Reason, "duplicate of ") {
			out = append(out, a)
		}
	}
	return out
}

// The same UID in two calendars is one activity, linked to the copy of
// the lowest source name whatever the listing order; the other copy is
// reported and never linked, and no later run writes to either.
func TestSameUIDInTwoCalendarsIsOneActivityAndNeverWritten(t *testing.T) {
	for _, order := range [][2]string{{"cal-a", "cal-b"}, {"cal-b", "cal-a"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			w, a, b := twoCalendars(t, order[0], order[1])
			p, res := w.run()
			dups := duplicates(p)
			if c := kinds(p); c[ActCreate] != 1 || len(dups) != 1 || len(p.Actions) != 2 {
				t.Fatalf("first plan %v: want one create and one duplicate report", c)
			}
			if dups[0].Source != "cal-b" || !strings.Contains(dups[0].Reason, "duplicate of cal-a/personal/inv.ics: same UID") {
				t.Fatalf("duplicate report %s/%s %q", dups[0].Source, dups[0].ItemID, dups[0].Reason)
			}
			if res.Counts["create"] != 1 || res.Counts[OutcomeSkipped] != 1 || len(w.crm.Activities()) != 1 {
				t.Fatalf("result %v, %d activities", res.Counts, len(w.crm.Activities()))
			}
			if act := w.activityByKey("ical:inv"); !act.Raster.Equal(span("2026-12-03T09:00:00Z", 1)) {
				t.Fatalf("activity has the times of the wrong copy: %v", act.Raster)
			}
			links := linksOf(t, w)
			if len(links) != 1 || links[0].Source != "cal-a" {
				t.Fatalf("links %+v: want only cal-a's copy linked", links)
			}

			p, res = w.run()
			if p.Writes() != 0 || len(duplicates(p)) != 1 || res.Status != state.StatusIdle {
				t.Fatalf("second run wrote: %d writes, %s %v; want only the duplicate report, an idle check", p.Writes(), res.Status, res.Counts)
			}
			// A CRM move goes to the home copy only.
			act := w.activityByKey("ical:inv")
			act.Raster = span("2026-12-04T10:00:00Z", 1)
			w.crm.PutActivity(act)
			p, _ = w.run()
			if c := kinds(p); c[ActUpdateGroupware] != 1 {
				t.Fatalf("after a CRM move: %v", c)
			}
			ia, _ := a.Item("personal/inv.ics")
			ib, _ := b.Item("shared/inv.ics")
			if !ia.Raster.Equal(act.Raster) || !ib.Raster.Equal(span("2026-12-03T15:00:00Z", 1)) {
				t.Fatalf("home copy %v, other copy %v: only the home copy may be written", ia.Raster, ib.Raster)
			}
		})
	}
}

// Sync streams creates; its counts still say what the CRM got.
func TestSyncCountsOneCreateForTwoCopies(t *testing.T) {
	w, _, _ := twoCalendars(t, "cal-a", "cal-b")
	_, res := w.sync()
	if res.Counts["create"] != 1 || res.Counts[OutcomeSkipped] != 1 || len(w.crm.Activities()) != 1 {
		t.Fatalf("result %v, %d activities", res.Counts, len(w.crm.Activities()))
	}
	if links := linksOf(t, w); len(links) != 1 || links[0].Source != "cal-a" {
		t.Fatalf("links %+v", links)
	}
}

func message(id, key, subject, date string) adapters.Item {
	d := mustTime(date)
	return adapters.Item{ID: id, Key: key, Kind: adapters.KindMessage, Subject: subject, From: "client@example.org",
		To: []string{"alice@example.com"}, Body: subject + " body", Date: d, Raster: adapters.Raster{Start: d}}
}

// The same message twice in one folder: one create, one duplicate report,
// in the plan, the result and the journal alike.
func TestSameMessageTwiceInOneFolderIsOneCreate(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(message("INBOX/1/7", "mid:twice@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/1/3", "mid:twice@x", "Quote", "2026-12-01T08:00:00Z"))
	p, res := w.run()
	if c := kinds(p); c[ActCreate] != 1 || len(duplicates(p)) != 1 || p.Counts()[ActCreate] != 1 {
		t.Fatalf("plan %v", c)
	}
	if d := duplicates(p)[0]; d.ItemID != "INBOX/1/7" || !strings.Contains(d.Reason, "duplicate of cal/INBOX/1/3: the same message") {
		t.Fatalf("duplicate %s %q: want the higher id reported", d.ItemID, d.Reason)
	}
	if res.Counts["create"] != 1 || res.Counts[OutcomeSkipped] != 1 || len(w.crm.Activities()) != 1 {
		t.Fatalf("result %v, %d activities", res.Counts, len(w.crm.Activities()))
	}
	created, err := w.st.CreatedBy(context.Background(), res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 1 {
		t.Fatalf("the links record %d creates of run %d: %+v", len(created), res.RunID, created)
	}
}

// Two messages sharing a Message-ID with other content are two
// activities, under keys that are the same every run: a state lost and
// planned again links both, it creates nothing.
func TestSameMessageIDOtherContentIsTwoActivities(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(message("INBOX/1/1", "mid:reused@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/1/2", "mid:reused@x", "Invoice", "2026-12-02T08:00:00Z"))
	_, res := w.run()
	if res.Counts["create"] != 2 || len(w.crm.Activities()) != 2 {
		t.Fatalf("result %v, %d activities: want two", res.Counts, len(w.crm.Activities()))
	}
	if p, _ := w.run(); len(p.Actions) != 0 {
		t.Fatalf("rerun: %+v", p.Actions[0])
	}
	// A later message under the same Message-ID, the others linked.
	w.src.PutItem(message("INBOX/1/9", "mid:reused@x", "Reminder", "2026-12-09T08:00:00Z"))
	if _, res := w.run(); res.Counts["create"] != 1 || len(w.crm.Activities()) != 3 {
		t.Fatalf("third message: %v, %d activities", res.Counts, len(w.crm.Activities()))
	}
	fresh, err := sqlite.Open(context.Background(), t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	w.st = fresh
	p := w.plan()
	if c := kinds(p); c[ActLink] != 3 || len(p.Actions) != 3 {
		t.Fatalf("keys not stable: without links the plan is %v", c)
	}
}

// A recreated folder (new UIDVALIDITY: new item ids, same messages): the
// links move in one run, nothing present is called deleted, and the next
// run is quiet.
func TestRecreatedFolderMovesLinks(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(message("INBOX/1/1", "mid:a@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/1/2", "mid:b@x", "Order", "2026-12-02T08:00:00Z"))
	w.run()
	w.src.DeleteItem("INBOX/1/1")
	w.src.DeleteItem("INBOX/1/2")
	w.src.PutItem(message("INBOX/2/1", "mid:a@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/2/2", "mid:b@x", "Order", "2026-12-02T08:00:00Z"))
	w.src.PutItem(message("INBOX/2/3", "mid:b@x", "Order", "2026-12-02T08:00:00Z"))
	p, res := w.run()
	for _, a := range p.Actions {
		if strings.Contains(a.Reason, "deleted") {
			t.Errorf("reported as deleted: %s %q", a.ItemID, a.Reason)
		}
	}
	if c := kinds(p); c[ActLink] != 2 || c[ActCreate] != 0 || len(duplicates(p)) != 1 {
		t.Fatalf("recovery plan %v", c)
	}
	if res.Counts["link"] != 2 || len(w.crm.Activities()) != 2 {
		t.Fatalf("result %v, %d activities", res.Counts, len(w.crm.Activities()))
	}
	for _, l := range linksOf(t, w) {
		if !strings.HasPrefix(l.ItemID, "INBOX/2/") {
			t.Errorf("old link %s kept", l.ItemID)
		}
	}
	if p, _ := w.run(); p.Writes() != 0 || len(p.Actions) != 1 {
		t.Fatalf("rerun after the move: %d writes, %d actions", p.Writes(), len(p.Actions))
	}
}

func linksOf(t *testing.T, w *world) []state.Link {
	t.Helper()
	var out []state.Link
	if err := w.st.Links(context.Background(), w.job.User, func(l state.Link) error {
		out = append(out, l)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A state from before duplicates were explicit links both copies to one
// activity: the copy that is not home is reported and never written, be
// it listed again or left out by an incremental listing.
func TestOlderDoubleLinkNeverWritesTheOtherCopy(t *testing.T) {
	for _, incr := range []bool{false, true} {
		t.Run(map[bool]string{false: "full", true: "incremental"}[incr], func(t *testing.T) {
			w, a, b := twoCalendars(t, "cal-a", "cal-b")
			if incr {
				w.job.Sources[1].Source = &incremental{Store: b, changed: map[string]bool{}}
			}
			w.run()
			act := w.activityByKey("ical:inv")
			// What an earlier version wrote for the second copy.
			if err := w.st.PutLinks(context.Background(), []state.Link{{User: "alice", Source: "cal-b", ItemID: "shared/inv.ics",
				Key: "ical:inv", Kind: adapters.KindEvent, ActivityID: act.ID, ActivityVersion: act.Version}}); err != nil {
				t.Fatal(err)
			}
			w.run()
			act = w.activityByKey("ical:inv")
			act.Raster = span("2026-12-04T10:00:00Z", 1)
			w.crm.PutActivity(act)
			p, _ := w.run()
			ia, _ := a.Item("personal/inv.ics")
			ib, _ := b.Item("shared/inv.ics")
			if !ia.Raster.Equal(act.Raster) || !ib.Raster.Equal(span("2026-12-03T15:00:00Z", 1)) {
				t.Fatalf("home copy %v, other copy %v: only the home copy may be written (plan %v)", ia.Raster, ib.Raster, kinds(p))
			}
		})
	}
}

// An incremental listing that says an event's old href is gone and shows
// it under a new one (moved to another calendar of the source): the link
// moves, the old href is not reported deleted, and later writes reach the
// new href.
func TestMovedEventInAnIncrementalListingTakesItsLink(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	w.job.ExportTo = ""
	ev := event("inv", span("2026-12-03T09:00:00Z", 1))
	ev.ID = "work/inv.ics"
	w.src.PutItem(ev)
	w.run()
	w.src.DeleteItem("work/inv.ics")
	ev.ID = "private/inv.ics"
	w.src.PutItem(ev)
	src.changed = map[string]bool{"work/inv.ics": true, "private/inv.ics": true}
	p, res := w.run()
	if c := kinds(p); c[ActLink] != 1 || len(p.Actions) != 1 || res.Counts["link"] != 1 {
		t.Fatalf("plan %v, result %v: want the link moved, nothing reported", c, res.Counts)
	}
	src.changed = map[string]bool{}
	act := w.activityByKey("ical:inv")
	act.Raster = span("2026-12-05T09:00:00Z", 1)
	w.crm.PutActivity(act)
	if p, _ := w.run(); kinds(p)[ActUpdateGroupware] != 1 || len(p.Actions) != 1 {
		t.Fatalf("after a CRM move: %v", kinds(p))
	}
	if it, _ := w.src.Item("private/inv.ics"); !it.Raster.Equal(act.Raster) {
		t.Fatalf("the moved event was not written: %v", it.Raster)
	}
}
