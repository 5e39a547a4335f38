package exchange_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// TestTimesFlowBothWaysThroughEWS runs the engine over the EWS fake: an
// appointment imports, a move in Exchange reaches the CRM, a move in the CRM
// reaches Exchange through UpdateItem with the item's ChangeKey.
func TestTimesFlowBothWaysThroughEWS(t *testing.T) {
	ctx := context.Background()
	fake := ewsfake.New(t)
	start := time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	fake.SeedItems("Import Folder", []adapters.Item{{Kind: adapters.KindEvent, Key: "ical:twoway@example.com",
		Subject: "Customer visit", Raster: adapters.Raster{Start: start, End: start.Add(time.Hour)}}})
	st, err := sqlite.Open(ctx, t.TempDir()+"/state.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	crm := memory.NewStore()
	job := &engine.Job{User: "sam", CRM: crm, Policy: engine.NewestWins,
		Sources: []engine.NamedSource{{Name: "exchange", Source: openSource(t, fake.OptionsJSON())}},
		Window:  adapters.Window{From: start.AddDate(-1, 0, 0), To: start.AddDate(1, 0, 0)}}
	run := func() *engine.Plan {
		t.Helper()
		pRun, err := engine.Start(ctx, st, job)
		if err != nil {
			t.Fatal(err)
		}
		p := pRun.Plan()
		res, err := pRun.Apply(ctx)
		if err != nil || (res.Status != "ok" && res.Status != "idle") {
			t.Fatalf("run: %v %+v", err, res)
		}
		return p
	}
	run()
	acts := crm.Activities()
	if len(acts) != 1 || acts[0].Type != adapters.TypeAppointment {
		t.Fatalf("imported %+v", acts)
	}
	itemID := acts[0].SourceItem
	ewsID := itemID[strings.LastIndexAny(itemID, "/:")+1:] // "event:<ItemId>"
	if _, ok := fake.Get(ewsID); !ok {
		t.Fatalf("no fake item for %s", itemID)
	}

	// Moved in Outlook: the CRM follows.
	moved := start.Add(2 * time.Hour)
	fake.Update(ewsID, func(it *ewsfake.Item) { it.Start, it.End = moved, moved.Add(time.Hour) })
	if p := run(); len(p.Actions) != 1 || p.Actions[0].Kind != engine.ActUpdateCRM {
		t.Fatalf("plan after the Exchange move: %+v", p.Actions)
	}
	if a, _ := crm.Activity(acts[0].ID); !a.Raster.Start.Equal(moved) {
		t.Fatalf("CRM start %v, want %v", a.Raster.Start, moved)
	}

	// Moved in the CRM: Exchange follows, with the ChangeKey checked.
	a, _ := crm.Activity(acts[0].ID)
	back := start.Add(-time.Hour)
	a.Raster.Start, a.Raster.End = back, back.Add(90*time.Minute)
	crm.PutActivity(a)
	before, _ := fake.Get(ewsID)
	if p := run(); len(p.Actions) != 1 || p.Actions[0].Kind != engine.ActUpdateGroupware {
		t.Fatalf("plan after the CRM move: %+v", p.Actions)
	}
	after, _ := fake.Get(ewsID)
	if !after.Start.Equal(back) || !after.End.Equal(back.Add(90*time.Minute)) || after.ChangeKey == before.ChangeKey {
		t.Fatalf("Exchange item after write-back: %+v", after)
	}
	updates := 0
	for _, op := range fake.Operations() {
		if strings.Contains(op, "UpdateItem") {
			updates++
		}
	}
	if updates != 1 {
		t.Fatalf("%d UpdateItem calls: %v", updates, fake.Operations())
	}
	if p := run(); len(p.Actions) != 0 {
		t.Fatalf("not settled: %+v", p.Actions)
	}
}
