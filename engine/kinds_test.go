package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine/state"
)

// brokenSource fails every call, as a calendar with a wrong password
// would, and counts the calls.
type brokenSource struct{ calls int }

func (s *brokenSource) Info(context.Context) (adapters.Info, error) {
	s.calls++
	return adapters.Info{}, adapters.Errorf(adapters.CodeUnauthorized, "caldav: 401 for alice")
}

func (s *brokenSource) Snapshot(context.Context, adapters.SnapshotRequest, func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.calls++
	return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeUnauthorized, "caldav: 401 for alice")
}

func (s *brokenSource) Close() error { return nil }

// kindsSource is an incremental memory source that records each request.
// A cursor-less request lists the requested kinds (every kind when
// ignoreKinds is set, as an adapter that ignores SnapshotRequest.Kinds)
// and returns a cursor naming them; a request with a cursor lists nothing
// (no change since).
type kindsSource struct {
	*memory.Store
	ignoreKinds bool
	requests    []adapters.SnapshotRequest
}

func (s *kindsSource) Info(ctx context.Context) (adapters.Info, error) {
	i, err := s.Store.Info(ctx)
	i.Capabilities.Incremental = true
	return i, err
}

func (s *kindsSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.requests = append(s.requests, req)
	if req.Cursor != "" {
		return adapters.SnapshotEnd{Cursor: "after-" + req.Cursor}, nil
	}
	cursor := "all"
	if len(req.Kinds) > 0 {
		cursor = "only"
		for _, k := range req.Kinds {
			cursor += "-" + string(k)
		}
	}
	if s.ignoreKinds {
		req.Kinds = nil
	}
	end, err := s.Store.Snapshot(ctx, req, emit)
	end.Cursor = cursor
	return end, err
}

func (w *world) linkIDs() map[string]bool {
	w.t.Helper()
	out := map[string]bool{}
	if err := w.st.Links(context.Background(), "alice", func(l state.Link) error {
		out[l.Source+"/"+l.ItemID] = true
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) cursor() string {
	w.t.Helper()
	c, err := w.st.Cursor(context.Background(), "alice", "cal")
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// With only e-mail asked for, a calendar source is never touched: its
// failure cannot make the run partial, and its links stay (unknown).
func TestAreasDoNotAskSourcesOfOtherKinds(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	w.job.ExportTo = ""
	w.run() // every area: cal's four items are linked
	mail := memory.NewStore()
	mail.PutItem(adapters.Item{ID: "m2", Key: "mid:2@x", Kind: adapters.KindMessage, Subject: "Offer",
		From: "client@example.org", To: []string{"alice@example.com"}, Raster: adapters.Raster{Start: mustTime("2026-12-02T08:00:00Z")}})
	declared, undeclared := &brokenSource{}, &brokenSource{}
	w.job.Sources = []NamedSource{
		{Name: "mail", Source: mail, Kinds: []adapters.Kind{adapters.KindMessage}},
		{Name: "cal", Source: declared, Kinds: []adapters.Kind{adapters.KindEvent, adapters.KindTask}},
	}
	w.job.Areas = []Area{AreaEmails}
	p, res := w.run()
	if declared.calls != 0 {
		t.Fatalf("the calendar was asked %d times for an e-mail-only run", declared.calls)
	}
	if len(p.Problems) != 0 || len(p.Sources) != 1 || p.Sources[0].Name != "mail" || res.Status != "ok" {
		t.Fatalf("problems %+v, sources %+v, status %s", p.Problems, p.Sources, res.Status)
	}
	if res.Counts["create"] != 1 || len(p.Actions) != 1 {
		t.Fatalf("counts %v, actions %+v", res.Counts, p.Actions)
	}
	if links := w.linkIDs(); len(links) != 5 {
		t.Fatalf("links %v, want cal's 4 kept and mail's 1", links)
	}
	// A source that declares no kinds is asked for its Info only; a
	// failure there is still a failure.
	w.job.Sources[1] = NamedSource{Name: "cal", Source: undeclared}
	if p := w.plan(); undeclared.calls != 1 || len(p.Problems) != 1 {
		t.Fatalf("undeclared kinds: %d calls, problems %+v", undeclared.calls, p.Problems)
	}
	// When its Info names only other kinds, it is not listed.
	events := &calendarOnly{Store: memory.NewStore()}
	w.job.Sources[1] = NamedSource{Name: "cal", Source: events}
	if p := w.plan(); events.snapshots != 0 || len(p.Sources) != 1 || len(p.Problems) != 0 {
		t.Fatalf("kinds from Info: %d snapshots, sources %+v, problems %+v", events.snapshots, p.Sources, p.Problems)
	}
}

// calendarOnly is a memory source whose Info says it holds events and
// tasks; it counts its snapshots.
type calendarOnly struct {
	*memory.Store
	snapshots int
}

func (s *calendarOnly) Info(ctx context.Context) (adapters.Info, error) {
	i, err := s.Store.Info(ctx)
	i.Kinds = []adapters.Kind{adapters.KindEvent, adapters.KindTask}
	return i, err
}

func (s *calendarOnly) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.snapshots++
	return s.Store.Snapshot(ctx, req, emit)
}

// A multi-kind source asked for some of its kinds lists those in full the
// first time and keeps that listing's cursor apart from its own, which
// still covers the other kinds' changes.
// Links of the other kinds are unknown, never deleted.
func TestAreasNarrowAMultiKindSource(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		name := "honours kinds"
		if ignore {
			name = "ignores kinds"
		}
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			src := &kindsSource{Store: w.src, ignoreKinds: ignore}
			w.job.Sources[0].Source = src
			seedAll(w)
			w.run()
			if c := w.cursor(); c != "all" {
				t.Fatalf("cursor after the first run %q", c)
			}
			w.src.DeleteItem("t1") // unseen by an events-only listing
			w.src.DeleteItem("m1")
			w.src.PutItem(adapters.Item{ID: "t2", Key: "ical:t2", Kind: adapters.KindTask, Subject: "New task",
				Raster: adapters.Raster{Due: mustTime("2026-12-06T17:00:00Z")}})
			w.src.PutItem(event("e3", span("2026-12-07T09:00:00Z", 1)))
			w.job.Areas = []Area{AreaAppointments}
			p, res := w.run()
			last := src.requests[len(src.requests)-1]
			if last.Cursor != "" || !slices.Equal(last.Kinds, []adapters.Kind{adapters.KindEvent}) {
				t.Fatalf("request %+v, want a full listing of events", last)
			}
			if len(p.Actions) != 1 || p.Actions[0].ItemID != "e3" || p.Actions[0].Kind != ActCreate || res.Status != "ok" {
				t.Fatalf("status %s, actions %+v", res.Status, p.Actions)
			}
			if c := w.cursor(); c != "all" {
				t.Fatalf("the events-only listing stored cursor %q", c)
			}
			// Its own cursor is kept apart: the next events-only run
			// lists events by change, not in full.
			p, _ = w.run()
			last = src.requests[len(src.requests)-1]
			if last.Cursor != "only-event" || !slices.Equal(last.Kinds, []adapters.Kind{adapters.KindEvent}) || len(p.Actions) != 0 {
				t.Fatalf("second events-only run: request %+v, actions %+v", last, p.Actions)
			}
			// Every area again: the stored cursor is used, t1 and m1 are
			// still linked (nothing concluded from the narrowed run).
			w.job.Areas = nil
			w.run()
			if last := src.requests[len(src.requests)-1]; last.Cursor != "all" || last.Kinds != nil {
				t.Fatalf("request %+v", last)
			}
			links := w.linkIDs()
			if !links["cal/t1"] || !links["cal/m1"] {
				t.Fatalf("links of t1 and m1 lost: %v", links)
			}
		})
	}
}

// An activity deleted in the CRM is reported for an incremental source
// whose listing does not mention the item, and the report does not hold
// the cursor back, even when the areas leave resync out.
func TestCRMDeletionIsReportedForIncrementalSources(t *testing.T) {
	w := newWorld(t)
	src := &incremental{Store: w.src, changed: map[string]bool{}}
	w.job.Sources[0].Source = src
	seedAll(w)
	w.job.ExportTo = ""
	w.run()
	gone := w.activityByKey("ical:e1").ID
	crm := memory.NewStore()
	for _, a := range w.crm.Activities() {
		if a.ID != gone {
			crm.PutActivity(a)
		}
	}
	w.crm, w.job.CRM = crm, crm
	for round := 0; round < 2; round++ { // once a run, as long as the link exists
		p, res := w.run()
		if len(p.Actions) != 1 || p.Actions[0].Kind != ActSkip || !p.Actions[0].Selected ||
			p.Actions[0].ActivityID != gone || !strings.Contains(p.Actions[0].Reason, "deleted in the CRM") {
			t.Fatalf("run %d: %+v", round, p.Actions)
		}
		if res.Status != state.StatusIdle || len(crm.Activities()) != 3 {
			t.Fatalf("run %d: status %s, CRM holds %d", round, res.Status, len(crm.Activities()))
		}
	}
	// With resync left out, the report stays selected and the cursor moves.
	w.job.Areas = []Area{AreaEmails, AreaTasks, AreaAppointments}
	p, _ := w.run()
	if len(p.Actions) != 1 || !p.Actions[0].Selected || w.cursor() != "c2" {
		t.Fatalf("cursor %q, actions %+v", w.cursor(), p.Actions)
	}
}
