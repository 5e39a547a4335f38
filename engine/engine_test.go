package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
)

func seedAll(w *world) {
	w.src.PutItem(adapters.Item{ID: "m1", Key: "mid:1@x", Kind: adapters.KindMessage, Subject: "Quote",
		From: "Client@Example.org", To: []string{"alice@example.com"}, Raster: adapters.Raster{Start: mustTime("2026-12-01T08:00:00Z")}})
	w.src.PutItem(adapters.Item{ID: "t1", Key: "ical:t1", Kind: adapters.KindTask, Subject: "Call back",
		Raster: adapters.Raster{Due: mustTime("2026-12-05T17:00:00Z")}})
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.src.PutItem(event("e2", span("2026-12-04T09:00:00Z", 2), "client@example.org"))
}

func TestFirstRunCreatesSecondRunChangesNothing(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	p, res := w.run()
	if got := kinds(p); got[ActCreate] != 4 || len(p.Actions) != 4 {
		t.Fatalf("first plan: %v", got)
	}
	if res.Status != "ok" || res.Counts["create"] != 4 {
		t.Fatalf("result %+v", res)
	}
	wantTypes := map[string]adapters.ActivityType{"mid:1@x": adapters.TypeMailIn, "ical:t1": adapters.TypeTask,
		"ical:e1": adapters.TypeAppointment, "ical:e2": adapters.TypeMeeting}
	for key, typ := range wantTypes {
		if a := w.activityByKey(key); a.Type != typ || a.Owners[0] != "alice" {
			t.Errorf("%s: %+v", key, a)
		}
	}
	if c := w.activityByKey("mid:1@x").Contacts; len(c) != 1 || c[0] != "client@example.org" {
		t.Errorf("contacts %v: the sender, lower-cased, not the user herself", c)
	}
	p2, _ := w.run()
	if len(p2.Actions) != 0 || p2.Unchanged != 4 {
		t.Fatalf("second plan: %d actions, %d unchanged", len(p2.Actions), p2.Unchanged)
	}
	if n := len(w.crm.Activities()); n != 4 {
		t.Fatalf("%d activities", n)
	}
}

func TestTimesFlowBothWaysAndOnlyTimes(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.run()
	// A CRM user edits the subject: that is theirs and must survive.
	a := w.activityByKey("ical:e1")
	a.Subject = "Edited in CRM"
	w.crm.PutActivity(a)

	it, _ := w.src.Item("e1")
	it.Raster = span("2026-12-03T11:00:00Z", 1)
	it.Subject = "Renamed in groupware"
	w.src.PutItem(it)
	p, res := w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActUpdateCRM || res.Counts["update-crm"] != 1 {
		t.Fatalf("plan %+v", p.Actions)
	}
	a = w.activityByKey("ical:e1")
	if !a.Raster.Equal(it.Raster) || a.Subject != "Edited in CRM" {
		t.Fatalf("activity after resync: %+v", a)
	}

	// Now the CRM moves it.
	a.Raster = span("2026-12-03T14:00:00Z", 2)
	w.crm.PutActivity(a)
	p, _ = w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActUpdateGroupware {
		t.Fatalf("plan %+v", p.Actions)
	}
	it, _ = w.src.Item("e1")
	if !it.Raster.Equal(a.Raster) || it.Subject != "Renamed in groupware" {
		t.Fatalf("item after write-back: %+v", it)
	}
	if p, _ := w.run(); len(p.Actions) != 0 {
		t.Fatalf("not settled: %+v", p.Actions[0])
	}
}

func TestConflictPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy Policy
		want   string // which raster ends up on both sides: "src", "crm" or "none"
	}{{SourceWins, "src"}, {CRMWins, "crm"}, {NewestWins, "crm"}, {Manual, "none"}} {
		t.Run(string(tc.policy), func(t *testing.T) {
			w := newWorld(t)
			w.job.Policy = tc.policy
			w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
			w.run()
			srcR, crmR := span("2026-12-03T10:00:00Z", 1), span("2026-12-03T12:00:00Z", 1)
			it, _ := w.src.Item("e1")
			it.Raster = srcR
			it.Modified = mustTime("2026-11-01T00:00:00Z") // older than the CRM edit
			w.src.PutItem(it)
			a := w.activityByKey("ical:e1")
			a.Raster, a.Modified = crmR, mustTime("2026-11-02T00:00:00Z")
			w.crm.PutActivity(a)
			p, _ := w.run()
			if len(p.Actions) != 1 || p.Actions[0].Kind != ActConflict {
				t.Fatalf("plan %+v", p.Actions)
			}
			it, _ = w.src.Item("e1")
			a = w.activityByKey("ical:e1")
			switch tc.want {
			case "src":
				if !it.Raster.Equal(srcR) || !a.Raster.Equal(srcR) {
					t.Fatalf("src should win: %v / %v", it.Raster, a.Raster)
				}
			case "crm":
				if !it.Raster.Equal(crmR) || !a.Raster.Equal(crmR) {
					t.Fatalf("crm should win: %v / %v", it.Raster, a.Raster)
				}
			case "none":
				if !it.Raster.Equal(srcR) || !a.Raster.Equal(crmR) {
					t.Fatal("manual must not change either side")
				}
				if p, _ := w.run(); len(p.Actions) != 1 || p.Actions[0].Resolution != "" {
					t.Fatal("a manual conflict is reported again")
				}
			}
		})
	}
}

func TestBothSidesAgreeIsRebased(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.run()
	r := span("2026-12-03T15:00:00Z", 1)
	it, _ := w.src.Item("e1")
	it.Raster = r
	w.src.PutItem(it)
	a := w.activityByKey("ical:e1")
	a.Raster = r
	w.crm.PutActivity(a)
	p, _ := w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActSkip {
		t.Fatalf("%+v", p.Actions)
	}
	if p, _ := w.run(); len(p.Actions) != 0 {
		t.Fatalf("base not updated: %+v", p.Actions[0])
	}
}

func TestVersionOnlyChangeIsNoChange(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.run()
	it, _ := w.src.Item("e1")
	it.Body = "DTSTAMP churn"
	w.src.PutItem(it) // new version, same times
	if p := w.plan(); len(p.Actions) != 0 || p.Unchanged != 1 {
		t.Fatalf("%+v", p.Actions)
	}
}

func TestListingErrorDeletesNothing(t *testing.T) {
	w := newWorld(t)
	other := memory.NewStore()
	w.job.Sources = append(w.job.Sources, NamedSource{Name: "other", Source: other})
	seedAll(w)
	w.run()
	other.PutItem(event("o1", span("2026-12-10T09:00:00Z", 1)))
	w.src.FailSnapshotAfter = 2
	p := w.plan()
	for _, a := range p.Actions {
		if a.Source == "cal" {
			t.Fatalf("a failed listing planned %+v", a)
		}
	}
	if len(p.Actions) != 1 || p.Actions[0].Source != "other" || p.Actions[0].Kind != ActCreate {
		t.Fatalf("the healthy source must still be planned: %+v", p.Actions)
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Reason, "listing failed") {
		t.Fatalf("problems %+v", p.Problems)
	}
}

func TestDeletionsAndWindowAreReportedNotPropagated(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.run()
	w.src.DeleteItem("e1")
	p, _ := w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActSkip || !strings.Contains(p.Actions[0].Reason, "deleted in groupware") {
		t.Fatalf("%+v", p.Actions)
	}
	if n := len(w.crm.Activities()); n != 4 {
		t.Fatalf("a groupware deletion removed an activity: %d left", n)
	}
	// The window moves past e2: it is out of window, not deleted.
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.job.Window.From = mustTime("2026-12-04T12:00:00Z")
	w.src.DeleteItem("e2") // a windowed server would no longer list it
	p = w.plan()
	for _, a := range p.Actions {
		if a.ItemID == "e2" {
			t.Fatalf("out of window read as deleted: %+v", a)
		}
	}
	if p.OutOfWindow == 0 {
		t.Fatal("out-of-window item not counted")
	}
	// An activity deleted in the CRM is reported too.
	w.job.Window.From = mustTime("2026-01-01T00:00:00Z")
	w.crm = memory.NewStore()
	w.job.CRM = w.crm
	p = w.plan()
	deleted := 0
	for _, a := range p.Actions {
		if strings.Contains(a.Reason, "deleted in the CRM") {
			deleted++
		}
	}
	if deleted != 3 { // m1, t1, e1 (e2 is gone from the source)
		t.Fatalf("want 3 CRM deletions reported, got %d: %+v", deleted, p.Actions)
	}
}

func TestSelectionAndStableIDs(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	p1, p2 := w.plan(), w.plan()
	for i := range p1.Actions {
		if p1.Actions[i].ID != p2.Actions[i].ID {
			t.Fatalf("unstable ids: %s vs %s", p1.Actions[i].ID, p2.Actions[i].ID)
		}
	}
	var order []Area
	for _, a := range p1.Actions {
		order = append(order, a.Area)
	}
	if order[0] != AreaEmails || order[1] != AreaTasks || order[3] != AreaAppointments {
		t.Fatalf("order %v", order)
	}
	if err := p1.Deselect("nope"); err == nil {
		t.Fatal("unknown id accepted")
	}
	e1 := ""
	for _, a := range p1.Actions {
		if a.ItemID == "e1" {
			e1 = a.ID
		}
	}
	if err := p1.Deselect(e1); err != nil {
		t.Fatal(err)
	}
	p1.DeselectArea(AreaTasks)
	if n := p1.DeselectItem("mid:1@x"); n != 1 {
		t.Fatalf("deselect by key: %d", n)
	}
	if _, err := execute(context.Background(), w.st, w.job, p1); err != nil {
		t.Fatal(err)
	}
	if n := len(w.crm.Activities()); n != 1 {
		t.Fatalf("only e2 should be imported, have %d", n)
	}
	p3 := w.plan()
	if len(p3.Actions) != 3 {
		t.Fatalf("deselected items are offered again: %d", len(p3.Actions))
	}
	for _, a := range p3.Actions {
		if a.ItemID == "e1" && a.ID != e1 {
			t.Fatal("id changed between runs")
		}
	}
	var buf bytes.Buffer
	if err := p3.WriteTable(&buf); err != nil || !strings.Contains(buf.String(), e1) {
		t.Fatalf("table: %v\n%s", err, buf.String())
	}
	buf.Reset()
	if err := p3.WriteJSON(&buf); err != nil || !strings.Contains(buf.String(), `"id": "`+e1+`"`) {
		t.Fatalf("json: %v\n%s", err, buf.String())
	}
}

func TestAreasNotChosenAreNotApplied(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.job.Areas = []Area{AreaEmails}
	_, res := w.run()
	if res.Counts["create"] != 1 || len(w.crm.Activities()) != 1 {
		t.Fatalf("%+v", res.Counts)
	}
}

func TestExportIsIdempotentAcrossACrash(t *testing.T) {
	w := newWorld(t)
	f := w.crm.PutActivity(adapters.Activity{Type: adapters.TypeFollowUp, Subject: "Follow up Acme",
		Owners: []string{"alice"}, Raster: span("2026-12-08T10:00:00Z", 1)})
	w.crm.PutActivity(adapters.Activity{Type: adapters.TypeMailIn, Subject: "not exported", Owners: []string{"alice"}})
	p, _ := w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActExport {
		t.Fatalf("%+v", p.Actions)
	}
	it, ok := w.src.Item("export-" + f.ID)
	if !ok || it.Busy != adapters.BusyBusy || !it.Raster.Equal(f.Raster) {
		t.Fatalf("exported item %+v", it)
	}
	if p, _ := w.run(); len(p.Actions) != 0 {
		t.Fatalf("export not settled: %+v", p.Actions[0])
	}
	// A crash between the export and the link: the link is gone, the item
	// is there. The next plan links, it neither exports nor imports again.
	if err := w.st.DeleteLink(context.Background(), "alice", "cal", it.ID); err != nil {
		t.Fatal(err)
	}
	p, _ = w.run()
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActLink {
		t.Fatalf("%+v", p.Actions)
	}
	if n := len(w.crm.Activities()); n != 2 {
		t.Fatalf("duplicate activity: %d", n)
	}
}

func TestCrashAfterCRMWriteLinksInsteadOfDuplicating(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.run()
	// Forget every link, as if the run died after the CRM writes.
	for _, id := range []string{"m1", "t1", "e1", "e2"} {
		w.st.DeleteLink(context.Background(), "alice", "cal", id)
	}
	// Before the next run, a CRM user moves one of them.
	a := w.activityByKey("ical:e2")
	a.Raster = span("2026-12-04T16:00:00Z", 2)
	w.crm.PutActivity(a)
	p, _ := w.run()
	if got := kinds(p); got[ActLink] != 3 || got[ActConflict] != 1 {
		t.Fatalf("%v", got)
	}
	if n := len(w.crm.Activities()); n != 4 {
		t.Fatalf("%d activities", n)
	}
	if it, _ := w.src.Item("e2"); !it.Raster.Equal(a.Raster) {
		t.Fatalf("the newer CRM time did not win in the same run: %v", it.Raster)
	}
	if p, _ := w.run(); len(p.Actions) != 0 {
		t.Fatalf("not settled: %+v", p.Actions[0])
	}
}

func TestSameMessageInTwoFoldersIsOneActivity(t *testing.T) {
	w := newWorld(t)
	other := memory.NewStore()
	w.job.Sources = append(w.job.Sources, NamedSource{Name: "other", Source: other})
	msg := adapters.Item{ID: "m1", Key: "mid:same@x", Kind: adapters.KindMessage, Subject: "Hi"}
	w.src.PutItem(msg)
	msg.ID = "INBOX/7"
	other.PutItem(msg)
	_, res := w.run()
	if res.Counts["create"] != 1 || res.Counts[OutcomeSkipped] != 1 || len(w.crm.Activities()) != 1 {
		t.Fatalf("%v, %d activities: want one create and one duplicate", res.Counts, len(w.crm.Activities()))
	}
	if p, _ := w.run(); p.Writes() != 0 || len(p.Actions) != 1 || !strings.Contains(p.Actions[0].Reason, "duplicate of cal/m1") {
		t.Fatalf("rerun: %d writes, %+v", p.Writes(), p.Actions)
	}
}

func TestUnreadableItemIsReportedAndRetried(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.src.PutItem(adapters.Item{ID: "bad.ics", Unreadable: "bad.ics: VEVENT without DTSTART"})
	p, res := w.run()
	if len(p.Problems) != 1 || res.Counts["create"] != 4 || res.Status != "partial" {
		t.Fatalf("problems %+v counts %+v status %s", p.Problems, res.Counts, res.Status)
	}
	if p := w.plan(); len(p.Problems) != 1 {
		t.Fatal("the unreadable item is tried again next run")
	}
}

func TestConflictWriteIsNotBlind(t *testing.T) {
	w := newWorld(t)
	w.src.PutItem(event("e1", span("2026-12-03T09:00:00Z", 1)))
	w.run()
	a := w.activityByKey("ical:e1")
	a.Raster = span("2026-12-03T14:00:00Z", 1)
	w.crm.PutActivity(a)
	p := w.plan()
	// The groupware copy changes between plan and execute.
	it, _ := w.src.Item("e1")
	it.Subject = "touched"
	w.src.PutItem(it)
	res, err := execute(context.Background(), w.st, w.job, p)
	if err != nil || res.Counts["failed"] != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	if it, _ := w.src.Item("e1"); !it.Raster.Equal(span("2026-12-03T09:00:00Z", 1)) {
		t.Fatal("overwrote a changed item")
	}
	if p := w.plan(); len(p.Actions) != 1 || p.Actions[0].Kind != ActUpdateGroupware {
		t.Fatal("re-planned next run")
	}
}

func TestNeverLogList(t *testing.T) {
	w := newWorld(t)
	w.job.Exclude = []string{"@example.com", "noreply@vendor.example.org"}
	w.src.PutItem(adapters.Item{ID: "internal", Key: "mid:i@x", Kind: adapters.KindMessage, Subject: "Lunch?",
		From: "colleague@example.com", To: []string{"alice@example.com"}})
	w.src.PutItem(adapters.Item{ID: "customer", Key: "mid:c@x", Kind: adapters.KindMessage, Subject: "Order",
		From: "buyer@client.example.org", To: []string{"alice@example.com"}, Cc: []string{"Boss@Example.com", "noreply@vendor.example.org"}})
	p, _ := w.run()
	if len(p.Actions) != 1 || p.Actions[0].ItemID != "customer" || p.Excluded != 1 {
		t.Fatalf("actions %+v, excluded %d", p.Actions, p.Excluded)
	}
	if c := w.activityByKey("mid:c@x").Contacts; len(c) != 1 || c[0] != "buyer@client.example.org" {
		t.Fatalf("contacts %v: excluded addresses must not be linked", c)
	}
}
