package imap_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// dupRig is one user's engine over one IMAP folder into a memory CRM.
type dupRig struct {
	t      *testing.T
	job    *engine.Job
	st     *sqlite.Store
	crm    *memory.Store
	folder string
}

func newDupRig(t *testing.T, srv server) *dupRig {
	st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := folder("Import Folder")
	imaptest.Create(t, srv.client(t), f)
	crm := memory.NewStore()
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm,
		Sources: []engine.NamedSource{{Name: "mail", Source: open(t, srv.opts(f))}},
		Window:  engine.WindowAround(time.Now(), 30*24*time.Hour, 365*24*time.Hour)}
	return &dupRig{t: t, job: job, st: st, crm: crm, folder: f}
}

func (r *dupRig) run(name string) (*engine.Plan, *engine.Result) {
	r.t.Helper()
	run, err := engine.Start(ctx(r.t), r.st, r.job)
	if err != nil {
		r.t.Fatalf("%s: plan: %v", name, err)
	}
	plan := run.Plan()
	res, err := run.Apply(ctx(r.t))
	if err != nil {
		r.t.Fatalf("%s: execute: %v", name, err)
	}
	return plan, res
}

// The same message twice in the Import Folder is one create and one
// duplicate report: plan, result and CRM agree.
func TestSameMessageTwiceInTheFolder(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		r := newDupRig(t, srv)
		m := msg("twice@x", "Angebot", "kunde@example.org", "alice@example.com")
		imaptest.Append(t, srv.client(t), r.folder, m, m)
		plan, res := r.run("first")
		if c := plan.Counts(); c[engine.ActCreate] != 1 || c[engine.ActSkip] != 1 {
			t.Fatalf("plan counts %v: want one create and one duplicate", c)
		}
		if res.Counts["create"] != 1 || res.Counts[engine.OutcomeSkipped] != 1 || len(r.crm.Activities()) != 1 {
			t.Fatalf("result %v, %d activities", res.Counts, len(r.crm.Activities()))
		}
		if plan, _ := r.run("rerun"); plan.Writes() != 0 {
			t.Fatalf("rerun plans %d writes", plan.Writes())
		}
	})
}

// Two messages under one Message-ID with other content are two activities,
// and stay two.
func TestSameMessageIDOtherContent(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		r := newDupRig(t, srv)
		imaptest.Append(t, srv.client(t), r.folder, msg("reused@x", "Angebot", "kunde@example.org", "alice@example.com"),
			msg("reused@x", "Rechnung", "kunde@example.org", "alice@example.com"))
		_, res := r.run("first")
		if res.Counts["create"] != 2 || len(r.crm.Activities()) != 2 {
			t.Fatalf("result %v, %d activities: want two", res.Counts, len(r.crm.Activities()))
		}
		subjects := map[string]bool{}
		for _, a := range r.crm.Activities() {
			subjects[a.Subject] = true
		}
		if !subjects["Angebot"] || !subjects["Rechnung"] {
			t.Fatalf("activities %v: one of the messages was dropped", subjects)
		}
		if plan, _ := r.run("rerun"); plan.Writes() != 0 || len(r.crm.Activities()) != 2 {
			t.Fatalf("rerun: %d writes, %d activities", plan.Writes(), len(r.crm.Activities()))
		}
	})
}

// A folder deleted and recreated with the same messages (new UIDVALIDITY):
// the links move in that one run, nothing there is called deleted, and
// the next run is incremental and quiet.
func TestRecreatedFolderRelinks(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		r := newDupRig(t, srv)
		c := srv.client(t)
		a := msg("a@x", "Angebot", "kunde@example.org", "alice@example.com")
		b := msg("b@x", "Bestellung", "kunde@example.org", "alice@example.com")
		imaptest.Append(t, c, r.folder, a, b)
		r.run("first")
		imaptest.Recreate(t, c, r.folder)
		imaptest.Append(t, c, r.folder, a, b, msg("c@x", "Neu", "kunde@example.org", "alice@example.com"))
		plan, res := r.run("after recreate")
		for _, act := range plan.Actions {
			if strings.Contains(act.Reason, "deleted") {
				t.Errorf("reported as deleted: %s %q", act.ItemID, act.Reason)
			}
		}
		if res.Counts["link"] != 2 || res.Counts["create"] != 1 || len(res.Counts) != 2 || len(r.crm.Activities()) != 3 {
			t.Fatalf("recovery run %v, %d activities: want two links moved and one create", res.Counts, len(r.crm.Activities()))
		}
		plan, res = r.run("rerun")
		if len(plan.Actions) != 0 || len(res.Counts) != 0 {
			t.Fatalf("rerun not quiet: %d actions, %v", len(plan.Actions), res.Counts)
		}
		for _, s := range plan.Sources {
			if s.Complete {
				t.Errorf("rerun listed %s completely: the cursor did not advance", s.Name)
			}
		}
		if n := len(r.crm.Activities()); n != 3 || activityTypes(r.crm)[adapters.TypeMailIn] != 3 {
			t.Fatalf("%d activities", n)
		}
	})
}

func activityTypes(crm *memory.Store) map[adapters.ActivityType]int {
	out := map[adapters.ActivityType]int{}
	for _, a := range crm.Activities() {
		out[a.Type]++
	}
	return out
}
