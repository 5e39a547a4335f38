package engine

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

type timeT = time.Time

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func span(start string, hours int) adapters.Raster {
	s := mustTime(start)
	return adapters.Raster{Start: s, End: s.Add(time.Duration(hours) * time.Hour)}
}

// world is one user's sync set-up over memory adapters and a SQLite state.
type world struct {
	t   *testing.T
	st  state.Store
	src *memory.Store
	crm *memory.Store
	job *Job
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, st: st, src: memory.NewStore(), crm: memory.NewStore()}
	w.job = &Job{User: "alice", Email: "alice@example.com", CRM: w.crm,
		Sources: []NamedSource{{Name: "cal", Source: w.src}},
		Window:  adapters.Window{From: mustTime("2026-01-01T00:00:00Z"), To: mustTime("2028-01-01T00:00:00Z")},
		Policy:  NewestWins, ExportTo: "cal"}
	return w
}

func (w *world) plan() *Plan {
	w.t.Helper()
	p, err := planJob(context.Background(), w.st, w.job)
	if err != nil {
		w.t.Fatalf("plan: %v", err)
	}
	return p
}

func (w *world) run() (*Plan, *Result) {
	w.t.Helper()
	run, err := Start(context.Background(), w.st, w.job)
	if err != nil {
		w.t.Fatalf("start: %v", err)
	}
	res, err := run.Apply(context.Background())
	if err != nil {
		w.t.Fatalf("apply: %v", err)
	}
	return run.Plan(), res
}

func kinds(p *Plan) map[ActionKind]int {
	out := map[ActionKind]int{}
	for _, a := range p.Actions {
		out[a.Kind]++
	}
	return out
}

func (w *world) activityByKey(key string) adapters.Activity {
	w.t.Helper()
	var found []adapters.Activity
	for _, a := range w.crm.Activities() {
		if a.Key == key {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		w.t.Fatalf("want exactly one activity with key %s, have %d", key, len(found))
	}
	return found[0]
}

func event(id string, r adapters.Raster, attendees ...string) adapters.Item {
	return adapters.Item{ID: id, Key: "ical:" + id, Kind: adapters.KindEvent, Raster: r,
		Subject: "Event " + id, From: "alice@example.com", Attendees: attendees, Busy: adapters.BusyBusy}
}
