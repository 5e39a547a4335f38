package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// The creates Sync streams leave nothing per item in the plan or the
// result (issue 13): the plan counts them, the result counts them by
// type, and the links say which run created them; the rest of the plan
// (an export, a report) is kept as before.
func TestSyncKeepsCountsNotActionsOfStreamedCreates(t *testing.T) {
	w := newWorld(t)
	const n = batchSize + 20
	for i := range n {
		w.src.PutItem(event(fmt.Sprintf("e%04d", i), span("2026-12-03T09:00:00Z", 1)))
	}
	w.src.PutItem(message("INBOX/1", "mid:1@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/2", "mid:1@x", "Quote", "2026-12-01T08:00:00Z")) // the same message again
	w.crm.PutActivity(adapters.Activity{Type: adapters.TypeAppointment, Subject: "Visit", Owners: []string{"alice"},
		Raster: span("2026-12-08T09:00:00Z", 1)})
	p, res := w.sync()

	if c := kinds(p); c[ActCreate] != 0 || c[ActExport] != 1 || c[ActSkip] != 1 {
		t.Fatalf("plan actions %v: want no create (streamed), the export and the duplicate report", c)
	}
	if got := p.StreamedCreates(); got != n+1 || p.Counts()[ActCreate] != n+1 || p.Writes() != n+2 {
		t.Fatalf("streamed %d (%+v), counts %v, writes %d; want %d creates", got, p.Streamed, p.Counts(), p.Writes(), n+1)
	}
	if !strings.Contains(p.Summary(), fmt.Sprintf("%d create", n+1)) {
		t.Fatalf("summary %q does not count the streamed creates", p.Summary())
	}
	for _, o := range res.Items {
		if o.Outcome == OutcomeOK {
			t.Fatalf("result lists a plain success: %+v", o)
		}
	}
	if len(res.Items) != 1 || res.Items[0].Outcome != OutcomeSkipped || res.Items[0].ItemID != "INBOX/2" {
		t.Fatalf("result items %+v: want only the duplicate's skip", res.Items)
	}
	done := res.Done[ActCreate]
	if done[adapters.TypeAppointment] != n || done[adapters.TypeMailIn] != 1 || res.Done[ActExport][adapters.TypeAppointment] != 1 {
		t.Fatalf("done by type %v", res.Done)
	}
	if res.Counts[string(ActCreate)] != n+1 || len(w.crm.Activities()) != n+2 {
		t.Fatalf("counts %v, CRM holds %d", res.Counts, len(w.crm.Activities()))
	}
	created, err := w.st.CreatedBy(context.Background(), res.RunID)
	if err != nil || len(created) != n+1 {
		t.Fatalf("CreatedBy(run %d) = %d items, %v; want %d", res.RunID, len(created), err, n+1)
	}
}

// A key whose create Sync applied while listing stays claimed: a later
// copy of the same message is a duplicate of it (named), and another
// message under the same Message-ID is told apart by its fingerprint, as
// when the plan kept the action.
func TestSyncTellsCopiesOfAStreamedCreateApart(t *testing.T) {
	w := newWorld(t)
	w.job.ExportTo = ""
	w.src.PutItem(message("INBOX/1", "mid:reused@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/2", "mid:reused@x", "Quote", "2026-12-01T08:00:00Z"))
	w.src.PutItem(message("INBOX/3", "mid:reused@x", "Invoice", "2026-12-02T08:00:00Z"))
	p, res := w.sync()
	dups := duplicates(p)
	if len(dups) != 1 || dups[0].ItemID != "INBOX/2" || !strings.Contains(dups[0].Reason, "duplicate of cal/INBOX/1: the same message") {
		t.Fatalf("duplicates %+v: want INBOX/2 reported as a copy of cal/INBOX/1", dups)
	}
	if res.Counts[string(ActCreate)] != 2 || len(w.crm.Activities()) != 2 {
		t.Fatalf("counts %v, CRM holds %d: want the two messages created", res.Counts, len(w.crm.Activities()))
	}
	p, res = w.sync()
	if p.Writes() != 0 || res.Status != "idle" {
		t.Fatalf("second run: %d writes, %s %v; want an idle check", p.Writes(), res.Status, res.Counts)
	}
}
