package crmsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func listChanges(t *testing.T, s adapters.Sink, q adapters.ChangeQuery) ([]adapters.Activity, adapters.ChangeEnd) {
	t.Helper()
	cl, ok := s.(adapters.ChangeLister)
	if !ok {
		t.Fatal("crmsql is no ChangeLister")
	}
	var got []adapters.Activity
	end, err := cl.ListChanges(context.Background(), q, func(a adapters.Activity) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatalf("ListChanges(%+v): %v", q, err)
	}
	if end.Count != int64(len(got)) {
		t.Fatalf("ListChanges count %d, emitted %d", end.Count, len(got))
	}
	return got, end
}

// settledCursor lists q from end's cursor until a listing emits nothing
// (on PostgreSQL, a cursor stops below any older transaction still open
// on the server, another test's too, and what it emitted above is listed
// again, unchanged) and returns that listing's cursor. It fails if a
// listing emits an activity not in seen, or changed, or moves the cursor
// back.
func settledCursor(t *testing.T, s adapters.Sink, q adapters.ChangeQuery, end adapters.ChangeEnd, seen []adapters.Activity) int64 {
	t.Helper()
	versions := map[string]string{}
	for _, a := range seen {
		versions[a.ID] = a.Version
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		q.Since = end.Cursor
		again, next := listChanges(t, s, q)
		if next.Cursor < end.Cursor {
			t.Fatalf("cursor moved back from %d to %d", end.Cursor, next.Cursor)
		}
		for _, a := range again {
			if v, ok := versions[a.ID]; !ok || v != a.Version {
				t.Fatalf("nothing changed since cursor %d, but listed %s at version %s", end.Cursor, a.ID, a.Version)
			}
		}
		if len(again) == 0 {
			return next.Cursor
		}
		if time.Now().After(deadline) {
			t.Fatalf("listings from cursor %d still emit %v", end.Cursor, ids(again))
		}
		end = next
		time.Sleep(20 * time.Millisecond)
	}
}

func ids(list []adapters.Activity) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.ID)
	}
	return out
}

// The change cursor lists what was inserted, what a time update or an
// edit by hand moved, and what gained this owner, and nothing else;
// imported activities come without their body, CRM-made ones whole.
func TestListChangesSinceCursor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, dsn := newSink(t, b, true)
		info, err := s.Info(context.Background())
		if err != nil || !info.Capabilities.ListChanges {
			t.Fatalf("Info = %+v, %v: want ListChanges declared", info.Capabilities, err)
		}
		a := upsertOne(t, s, meeting("ical:a", "alice")).Activity
		bb := upsertOne(t, s, meeting("ical:b", "alice")).Activity
		upsertOne(t, s, meeting("ical:other", "bob"))
		db := rawDB(t, dsn)
		mustExec(t, db, `INSERT INTO activities (type, subject, body, start_at) VALUES ('APPOINTMENT', 'made in the CRM', 'agenda', '2026-12-04T09:00:00Z')`)
		var c adapters.Activity
		if err := db.QueryRow(`SELECT CAST(max(id) AS TEXT) FROM activities`).Scan(&c.ID); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `INSERT INTO activity_owners (activity_id, owner) VALUES (?, 'alice')`, c.ID)

		all, end := listChanges(t, s, adapters.ChangeQuery{Owner: "alice"})
		if got := ids(all); len(got) != 3 || got[0] != a.ID || got[1] != bb.ID || got[2] != c.ID {
			t.Fatalf("first listing = %v, want [%s %s %s]", got, a.ID, bb.ID, c.ID)
		}
		if all[0].Body != "" || all[0].Owners != nil || all[0].Subject == "" || all[0].Key != "ical:a" || all[0].Version != "1" || all[0].Change == 0 {
			t.Fatalf("imported activity not narrow: %+v", all[0])
		}
		if all[2].Body != "agenda" || len(all[2].Owners) != 1 {
			t.Fatalf("CRM-made activity not whole: %+v", all[2])
		}
		cursor := settledCursor(t, s, adapters.ChangeQuery{Owner: "alice"}, end, all)

		updateOne(t, s, adapters.TimeChange{ID: bb.ID, Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}})
		moved, end3 := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: cursor})
		if got := ids(moved); len(got) != 1 || got[0] != bb.ID || moved[0].Version != "2" || end3.Cursor < cursor {
			t.Fatalf("after a time update: %v (cursor %d → %d), want [%s] at version 2", got, cursor, end3.Cursor, bb.ID)
		}
		cursor = settledCursor(t, s, adapters.ChangeQuery{Owner: "alice"}, end3, moved)

		mustExec(t, db, `UPDATE activities SET subject = 'renamed by hand' WHERE id = ?`, a.ID)
		upsertOne(t, s, meeting("ical:other", "alice")) // bob's, now alice's too
		later, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: cursor})
		if len(later) != 2 || later[0].ID != a.ID || later[0].Subject != "renamed by hand" || later[1].Key != "ical:other" {
			t.Fatalf("after an edit by hand and a new owner: %+v", later)
		}

		_, err = s.(adapters.ChangeLister).ListChanges(context.Background(), adapters.ChangeQuery{Owner: "alice", Since: 1 << 40}, func(adapters.Activity) error { return nil })
		wantCode(t, err, adapters.CodeCursorInvalid)
	})
}

// An import batch numbers each new activity once, in the INSERT (SQLite:
// the counter moves by one per activity, where the triggers alone moved
// it by two and wrote each row three times); every one is listed, an
// existing activity that gains an owner in a later batch is numbered
// again, and a new one in that batch is found too.
func TestABatchNumbersEachNewActivityOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, dsn := newSink(t, b, false)
		batch := []adapters.Activity{meeting("ical:a", "alice"), meeting("ical:b", "alice"), meeting("ical:c", "alice")}
		if _, err := s.Upsert(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		all, end := listChanges(t, s, adapters.ChangeQuery{Owner: "alice"})
		if len(all) != 3 {
			t.Fatalf("listed %v, want the 3 imported", ids(all))
		}
		// SQLite numbers each activity of a batch; PostgreSQL numbers a
		// change by its transaction, one for the batch (0005).
		seen := map[int64]bool{}
		for _, a := range all {
			if a.Change <= 0 || b.name == "sqlite" && (seen[a.Change] || a.Change > end.Cursor) || b.name == "postgres" && a.Change != all[0].Change {
				t.Fatalf("activity %s numbered %d (cursor %d, seen %v)", a.Key, a.Change, end.Cursor, seen)
			}
			seen[a.Change] = true
		}
		end.Cursor = settledCursor(t, s, adapters.ChangeQuery{Owner: "alice"}, end, all)
		if b.name == "sqlite" {
			var last int64
			if err := rawDB(t, dsn).QueryRow(`SELECT last FROM change_counter`).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if last != 3 {
				t.Fatalf("change counter %d after importing 3 activities, want 3 (one number each)", last)
			}
		}
		if _, err := s.Upsert(context.Background(), []adapters.Activity{meeting("ical:d", "alice"), meeting("ical:a", "bob")}); err != nil {
			t.Fatal(err)
		}
		bob, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "bob", Since: end.Cursor})
		if len(bob) != 1 || bob[0].Key != "ical:a" {
			t.Fatalf("bob's changes = %+v, want ical:a, which gained him as owner", bob)
		}
		alice, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: end.Cursor})
		if len(alice) != 2 || alice[0].Key != "ical:d" && alice[1].Key != "ical:d" {
			t.Fatalf("alice's changes = %+v, want ical:d and ical:a", alice)
		}
	})
}
