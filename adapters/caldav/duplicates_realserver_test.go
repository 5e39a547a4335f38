package caldav

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// The same invitation (one UID) in two calendars of one user on Radicale,
// with other times: one activity, the other copy reported as a duplicate
// and never written, on the first run and on every later one.
func TestRadicaleDuplicateUID(t *testing.T) {
	sv := radicale(t)
	calA, calB := sv.newCollection(t, "VEVENT"), sv.newCollection(t, "VEVENT")
	ev := func(start, end string) []byte {
		return vcal("BEGIN:VEVENT", "UID:dup-invite@gwsync.test", "DTSTAMP:20260101T000000Z", "DTSTART:"+start, "DTEND:"+end,
			"SUMMARY:Invitation", "END:VEVENT")
	}
	sv.put(t, calA+"invite.ics", ev("20270301T090000Z", "20270301T100000Z"))
	sv.put(t, calB+"invite.ics", ev("20270301T150000Z", "20270301T160000Z"))
	home, other := calA+"invite.ics", calB+"invite.ics"
	if other < home {
		home, other = other, home
	}
	src, err := New(adapters.Config{Name: "cal", Options: opts(t, sv.options(map[string]any{"calendars": []string{calA, calB}})),
		Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	crm := memory.NewStore()
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm, Policy: engine.NewestWins,
		Sources: []engine.NamedSource{{Name: "cal", Source: src}},
		Window:  adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}
	run := func(name string) (*engine.Plan, *engine.Result) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		run, err := engine.Start(ctx, st, job)
		if err != nil {
			t.Fatalf("%s: plan: %v", name, err)
		}
		plan := run.Plan()
		res, err := run.Apply(ctx)
		if err != nil {
			t.Fatalf("%s: execute: %v", name, err)
		}
		return plan, res
	}
	get := func(path string) []byte {
		t.Helper()
		data, _, err := sv.dav().Get(t.Context(), src.abs(path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return data
	}
	otherBefore := get(other)

	plan, res := run("first")
	if res.Counts["create"] != 1 || res.Counts[engine.OutcomeSkipped] != 1 || len(crm.Activities()) != 1 {
		t.Fatalf("first run: %v, %d activities: want one create and one duplicate", res.Counts, len(crm.Activities()))
	}
	for _, a := range plan.Actions {
		switch a.Kind {
		case engine.ActCreate:
			if a.ItemID != home {
				t.Errorf("created from %s, want the lower href %s", a.ItemID, home)
			}
		case engine.ActSkip:
			if a.ItemID != other || !strings.Contains(a.Reason, "duplicate of cal/"+home) {
				t.Errorf("report on %s: %q", a.ItemID, a.Reason)
			}
		}
	}

	_, res = run("second")
	if res.Counts["update-groupware"] != 0 || res.Counts["update-crm"] != 0 || res.Counts["link"] != 0 {
		t.Fatalf("second run wrote: %v", res.Counts)
	}
	if got := get(other); !bytes.Equal(got, otherBefore) {
		t.Fatalf("the duplicate copy was rewritten on the server:\n%s", got)
	}

	// A CRM move reaches the home copy, never the other one.
	act := crm.Activities()[0]
	act.Raster = adapters.Raster{Start: time.Date(2027, 3, 2, 11, 0, 0, 0, time.UTC), End: time.Date(2027, 3, 2, 12, 0, 0, 0, time.UTC)}
	crm.PutActivity(act)
	_, res = run("after a CRM move")
	if res.Counts["update-groupware"] != 1 {
		t.Fatalf("after a CRM move: %v", res.Counts)
	}
	if !bytes.Contains(get(home), []byte("20270302T110000Z")) {
		t.Errorf("home copy not moved:\n%s", get(home))
	}
	if got := get(other); !bytes.Equal(got, otherBefore) {
		t.Fatalf("the duplicate copy was written:\n%s", got)
	}
}
