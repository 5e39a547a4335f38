package crmsql_test

import (
	"context"
	"testing"

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
		if again, end2 := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: end.Cursor}); len(again) != 0 || end2.Cursor != end.Cursor {
			t.Fatalf("nothing changed, but listed %v (cursor %d → %d)", ids(again), end.Cursor, end2.Cursor)
		}

		updateOne(t, s, adapters.TimeChange{ID: bb.ID, Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}})
		moved, end3 := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: end.Cursor})
		if got := ids(moved); len(got) != 1 || got[0] != bb.ID || moved[0].Version != "2" || end3.Cursor <= end.Cursor {
			t.Fatalf("after a time update: %v (cursor %d → %d), want [%s] at version 2", got, end.Cursor, end3.Cursor, bb.ID)
		}

		mustExec(t, db, `UPDATE activities SET subject = 'renamed by hand' WHERE id = ?`, a.ID)
		upsertOne(t, s, meeting("ical:other", "alice")) // bob's, now alice's too
		later, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: end3.Cursor})
		if len(later) != 2 || later[0].ID != a.ID || later[0].Subject != "renamed by hand" || later[1].Key != "ical:other" {
			t.Fatalf("after an edit by hand and a new owner: %+v", later)
		}

		_, err = s.(adapters.ChangeLister).ListChanges(context.Background(), adapters.ChangeQuery{Owner: "alice", Since: 1 << 40}, func(adapters.Activity) error { return nil })
		wantCode(t, err, adapters.CodeCursorInvalid)
	})
}
