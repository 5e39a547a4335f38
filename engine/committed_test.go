package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// committer is an incremental source that declares Committer (unless
// undeclared is set) and records every Committed call.
type committer struct {
	*incremental
	undeclared bool
	fail       error
	calls      []string
}

func (s *committer) Info(ctx context.Context) (adapters.Info, error) {
	i, err := s.incremental.Info(ctx)
	i.Capabilities.Committed = !s.undeclared
	return i, err
}

func (s *committer) Committed(ctx context.Context, cursor string) error {
	s.calls = append(s.calls, cursor)
	return s.fail
}

func newCommitter(w *world) *committer {
	src := &committer{incremental: &incremental{Store: w.src, changed: map[string]bool{}}}
	w.job.Sources[0].Source = src
	return src
}

func (w *world) storedCursor() string {
	w.t.Helper()
	cur, err := w.st.Cursor(context.Background(), "alice", "cal")
	if err != nil {
		w.t.Fatal(err)
	}
	return cur
}

// Committed comes once per run, with the cursor just stored, after the
// CRM holds the run's items; a run with nothing new still stores (and
// commits) its cursor.
func TestCommittedAfterTheCursorIsStored(t *testing.T) {
	w := newWorld(t)
	src := newCommitter(w)
	seedAll(w)
	// At the moment of the call the cursor is stored and every item is
	// in the CRM.
	var atCall struct {
		cursor     string
		activities int
	}
	check := &checkAtCall{committer: src, at: func(string) {
		atCall.cursor, atCall.activities = w.storedCursor(), len(w.crm.Activities())
	}}
	w.job.Sources[0].Source = check
	_, res := w.run()
	if res.Status != "ok" || !slices.Equal(src.calls, []string{"c1"}) {
		t.Fatalf("first run %s, Committed calls %q, want exactly [c1]", res.Status, src.calls)
	}
	if atCall.cursor != "c1" || atCall.activities != 4 {
		t.Fatalf("at the call the stored cursor was %q and the CRM held %d activities, want c1 and 4", atCall.cursor, atCall.activities)
	}
	w.run()
	if !slices.Equal(src.calls, []string{"c1", "c2"}) {
		t.Fatalf("Committed calls %q after the second run, want [c1 c2]", src.calls)
	}
}

// checkAtCall runs at before passing a Committed call on.
type checkAtCall struct {
	*committer
	at func(cursor string)
}

func (s *checkAtCall) Committed(ctx context.Context, cursor string) error {
	s.at(cursor)
	return s.committer.Committed(ctx, cursor)
}

// No Committed while the cursor is held back (a deselected action, an
// unreadable item, a failed action), when the run fails, or when the
// source does not declare the capability.
func TestCommittedNotCalledWithoutAStoredCursor(t *testing.T) {
	cases := map[string]func(t *testing.T, w *world, src *committer){
		"deselected action": func(t *testing.T, w *world, src *committer) {
			p := w.plan()
			p.DeselectItem("e1")
			if _, err := execute(context.Background(), w.st, w.job, p); err != nil {
				t.Fatal(err)
			}
		},
		"unreadable item": func(t *testing.T, w *world, src *committer) {
			w.src.PutItem(adapters.Item{ID: "bad.ics", Unreadable: "bad.ics: VEVENT without DTSTART"})
			w.run()
		},
		"failed action": func(t *testing.T, w *world, src *committer) {
			w.job.CRM = &refusingSink{Sink: w.crm}
			if _, res := w.run(); res.Counts[OutcomeFailed] == 0 {
				t.Fatalf("no action failed: %+v", res.Counts)
			}
		},
		"failed run": func(t *testing.T, w *world, src *committer) {
			p := w.plan()
			if _, err := execute(context.Background(), &failingCommits{Store: w.st, failFrom: 1}, w.job, p); err == nil {
				t.Fatal("the run did not fail")
			}
		},
		"capability not declared": func(t *testing.T, w *world, src *committer) {
			src.undeclared = true
			w.run()
			if w.storedCursor() != "c1" {
				t.Fatal("cursor not stored")
			}
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			src := newCommitter(w)
			seedAll(w)
			f(t, w, src)
			if len(src.calls) != 0 {
				t.Fatalf("Committed called with %q (stored cursor %q)", src.calls, w.storedCursor())
			}
		})
	}
}

// A failing Committed is a failed outcome of the run, not a failed run:
// the cursor stays stored.
func TestCommittedFailureIsReportedNotFatal(t *testing.T) {
	w := newWorld(t)
	src := newCommitter(w)
	src.fail = adapters.Errorf(adapters.CodeTemporary, "MOVE to Done: connection reset")
	seedAll(w)
	_, res := w.run()
	if w.storedCursor() != "c1" || len(src.calls) != 1 {
		t.Fatalf("stored cursor %q, calls %q", w.storedCursor(), src.calls)
	}
	if res.Status != "partial" || res.Counts[OutcomeFailed] != 1 || res.Counts[string(ActCreate)] != 4 {
		t.Fatalf("status %s counts %+v, want partial with 4 created and 1 failed", res.Status, res.Counts)
	}
	var found bool
	for _, o := range res.Items {
		if o.Kind == kindCommitted {
			found = o.Source == "cal" && o.Outcome == OutcomeFailed && strings.Contains(o.Error, "connection reset")
		}
	}
	if !found {
		t.Fatalf("no committed outcome naming the source and the error in %+v", res.Items)
	}
	runs, err := w.st.Runs(context.Background(), "alice", 1)
	if err != nil || len(runs) != 1 {
		t.Fatal(runs, err)
	}
	items, err := w.st.RunItems(context.Background(), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(items, func(r state.ItemResult) bool { return r.Kind == string(kindCommitted) }); i < 0 {
		t.Fatalf("the failure is not in the run journal: %+v", items)
	}
}

// refusingSink fails every Upsert.
type refusingSink struct{ adapters.Sink }

func (s *refusingSink) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	return nil, errors.New("CRM is read-only today")
}

// A run with nothing to apply is an idle check, which stores the cursor
// and tells the source too; a failure there is logged, not fatal.
func TestSettleCommitsTheStoredCursor(t *testing.T) {
	w := newWorld(t)
	src := newCommitter(w)
	seedAll(w)
	w.run()
	src.fail = adapters.Errorf(adapters.CodeTemporary, "MOVE to Done: connection reset")
	p := w.plan()
	if p.Writes() != 0 {
		t.Fatalf("plan has %d writes", p.Writes())
	}
	if res, err := (&Run{st: w.st, job: w.job, plan: p}).Apply(context.Background()); err != nil || res.Status != state.StatusIdle {
		t.Fatalf("apply: %+v, %v; want an idle check", res, err)
	}
	if w.storedCursor() != "c2" || !slices.Equal(src.calls, []string{"c1", "c2"}) {
		t.Fatalf("stored cursor %q, calls %q; want c2 stored and committed", w.storedCursor(), src.calls)
	}
}
