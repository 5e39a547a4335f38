package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// TestIncrementalDelta: a cursor brings only what changed since: an event
// edited in Outlook, a deleted message as a tombstone, a task in a new
// list; and a second incremental run brings nothing.
func TestIncrementalDelta(t *testing.T) {
	fake, src := seeded(t)
	fake.SetPageSize(1)
	full, end := mustSnapshot(t, src, adapters.SnapshotRequest{})
	if !end.Complete || end.Cursor == "" || len(full) != 6 {
		t.Fatalf("full snapshot: %d items, complete %v, cursor %q", len(full), end.Complete, end.Cursor)
	}
	paged := false
	for _, r := range fake.Requests() {
		paged = paged || strings.Contains(r, "$skiptoken=")
	}
	if !paged {
		t.Error("page size 1 but no next link was followed")
	}

	review, _ := byKey(full, "ical:review-2026@gwsync.test")
	contract, _ := byKey(full, "mid:contract-1@mail.example.com")
	fake.UpdateEvent(strings.TrimPrefix(review.ID, "event:"), map[string]any{"subject": "Quarterly review (moved room)"})
	fake.Delete(strings.TrimPrefix(contract.ID, "message:"))
	list := fake.AddList("Errands")
	fake.AddTask(list, map[string]any{"title": "Buy toner", "status": "notStarted",
		"dueDateTime": map[string]any{"dateTime": "2026-12-03T12:00:00.0000000", "timeZone": "UTC"}})

	changes, end2 := mustSnapshot(t, src, adapters.SnapshotRequest{Cursor: end.Cursor})
	if end2.Complete {
		t.Error("incremental snapshot reports Complete")
	}
	got := byID(changes)
	if len(changes) != 3 {
		t.Fatalf("incremental snapshot: %d items %v, want 3", len(changes), changes)
	}
	if e := got[review.ID]; e.Subject != "Quarterly review (moved room)" || e.Version == review.Version {
		t.Errorf("edited event: %+v", e)
	}
	if m := got[contract.ID]; !m.Deleted {
		t.Errorf("deleted message: %+v, want a tombstone", m)
	}
	var task adapters.Item
	for _, it := range changes {
		if it.Kind == adapters.KindTask {
			task = it
		}
	}
	if task.Subject != "Buy toner" || !task.Raster.Due.Equal(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("new task: %+v", task)
	}

	again, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Cursor: end2.Cursor})
	if len(again) != 0 {
		t.Errorf("third run brought %d items, want none: %v", len(again), again)
	}
}

// TestExpiredDeltaLink: 410 Gone is CursorInvalid, never a deletion; a
// full snapshot then works.
func TestExpiredDeltaLink(t *testing.T) {
	fake, src := seeded(t)
	_, end := mustSnapshot(t, src, adapters.SnapshotRequest{})
	fake.ExpireDeltaTokens()
	emitted := 0
	_, err := src.Snapshot(t.Context(), adapters.SnapshotRequest{Cursor: end.Cursor}, func(adapters.Item) error {
		emitted++
		return nil
	})
	requireCode(t, "snapshot with an expired delta link", err, adapters.CodeCursorInvalid)
	if emitted != 0 {
		t.Errorf("emitted %d items before failing", emitted)
	}
	items, end := mustSnapshot(t, src, adapters.SnapshotRequest{})
	if len(items) != 6 || !end.Complete {
		t.Errorf("full snapshot after expiry: %d items complete %v", len(items), end.Complete)
	}
	// A cursor for other kinds is refused, not misread.
	_, _, err = snapshot(t, src, adapters.SnapshotRequest{Cursor: end.Cursor, Kinds: []adapters.Kind{adapters.KindEvent}})
	requireCode(t, "cursor for other kinds", err, adapters.CodeCursorInvalid)
	_, _, err = snapshot(t, src, adapters.SnapshotRequest{Cursor: "garbage"})
	requireCode(t, "garbage cursor", err, adapters.CodeCursorInvalid)
}

// TestFailedPageIsAnError: a page that fails after the first one fails
// the snapshot (Temporary), so the engine concludes nothing from it.
func TestFailedPageIsAnError(t *testing.T) {
	fake, src := seeded(t)
	fake.SetPageSize(1)
	n := 0
	_, err := src.Snapshot(t.Context(), adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindMessage}}, func(adapters.Item) error {
		n++
		fake.FailNext(100, 500)
		return nil
	})
	requireCode(t, "snapshot with a failing second page", err, adapters.CodeTemporary)
	if n != 1 {
		t.Errorf("emitted %d items, want the first page only", n)
	}
}

// TestInterruptedPagingResumes: a page that fails past the retries is
// asked for again from its own next link; the delta is not restarted, and
// every message arrives exactly once.
func TestInterruptedPagingResumes(t *testing.T) {
	fake, src := seeded(t)
	fake.SetPageSize(1)
	var ids []string
	end, err := src.Snapshot(t.Context(), adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindMessage}}, func(it adapters.Item) error {
		if len(ids) == 0 {
			// Page 2 fails every attempt of the first try and once more.
			fake.FailNext(fastRetry.Attempts+1, 503)
		}
		ids = append(ids, it.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot with page 2 failing %d times: %v", fastRetry.Attempts+1, err)
	}
	if len(ids) != 2 || ids[0] == ids[1] || !end.Complete || end.Cursor == "" {
		t.Fatalf("items %v complete %v cursor %q, want both messages once and a cursor", ids, end.Complete, end.Cursor)
	}
	starts, pageTwo := 0, map[string]int{}
	for _, r := range fake.Requests() {
		switch {
		case strings.Contains(r, "/messages/delta?") && strings.Contains(r, "select="):
			starts++
		case strings.Contains(r, "/messages/delta?$skiptoken="):
			pageTwo[r]++
		}
	}
	if starts != 1 {
		t.Errorf("delta started %d times, want once (resume, not restart): %v", starts, fake.Requests())
	}
	if len(pageTwo) != 1 {
		t.Fatalf("page 2 requests %v, want one next link asked for repeatedly", pageTwo)
	}
	for link, n := range pageTwo {
		if want := fastRetry.Attempts + 2; n != want {
			t.Errorf("%s sent %d times, want %d (%d failed attempts, 1 failed resume attempt, 1 success)", link, n, want, fastRetry.Attempts)
		}
	}
}
