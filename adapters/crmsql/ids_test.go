package crmsql_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// A state link holds an activity id. Once that activity is deleted in the
// CRM, its id must never name another activity: the link would then
// write a meeting's times onto someone else's activity. The newest
// activity is the case SQLite's plain INTEGER PRIMARY KEY got wrong (it
// handed out max(id)+1 again).
func TestDeletedActivityIDIsNeverReused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, dsn := newSink(t, b, true)
		ctx := context.Background()
		first := upsertOne(t, s, meeting("ical:first", "alice")).Activity
		newest := upsertOne(t, s, meeting("ical:newest", "alice")).Activity
		db := rawDB(t, dsn)
		mustExec(t, db, `DELETE FROM activities WHERE id = ?`, newest.ID)

		again := upsertOne(t, s, meeting("ical:newest", "alice")) // the same item imported again
		later := upsertOne(t, s, meeting("ical:later", "bob"))
		crm := openStore(t, dsn)
		made, err := crm.CreateActivity(ctx, adapters.Activity{Type: adapters.TypeFollowUp, Subject: "by hand", Owners: []string{"alice"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{again.Activity.ID, later.Activity.ID, made.ID} {
			if id == newest.ID || id == first.ID {
				t.Fatalf("id %s handed out again (deleted %s, kept %s)", id, newest.ID, first.ID)
			}
			if n, _ := strconv.Atoi(id); n <= mustAtoi(t, newest.ID) {
				t.Fatalf("new id %s is not above the deleted %s", id, newest.ID)
			}
		}
		// Contacts: a deleted contact's id is retired as well.
		var contactID int64
		if err := crm.AddContact(ctx, "Old", "old@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT id FROM contacts WHERE email = 'old@example.com'`).Scan(&contactID); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `DELETE FROM contacts WHERE id = ?`, contactID)
		if err := crm.AddContact(ctx, "New", "new@example.com"); err != nil {
			t.Fatal(err)
		}
		var newID int64
		if err := db.QueryRow(`SELECT id FROM contacts WHERE email = 'new@example.com'`).Scan(&newID); err != nil || newID <= contactID {
			t.Fatalf("new contact id %d after deleting %d (%v)", newID, contactID, err)
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A CRM file at schema 2 (ids without AUTOINCREMENT) is rebuilt by 0003:
// every row keeps its id and its owners, contacts and attachments; the
// triggers still work; and from then on a deleted id is retired.
func TestAutoincrementMigrationKeepsRowsAndIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crm.db")
	db := rawDB(t, path)
	for _, name := range []string{"0001_initial.sql", "0002_attachment_data.sql"} {
		body, err := os.ReadFile(filepath.Join("migrations", "sqlite", name))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, string(body))
	}
	mustExec(t, db, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))`)
	mustExec(t, db, `INSERT INTO schema_migrations (version, name) VALUES (1, '0001_initial'), (2, '0002_attachment_data')`)
	mustExec(t, db, `INSERT INTO activities (id, type, subject, ext_key, start_at, version) VALUES
		(7, 'MAILIN', 'old mail', 'mid:old@x', '2026-01-01T08:00:00Z', 1),
		(9, 'MEETING', 'old meeting', 'ical:old', '2026-01-02T08:00:00Z', 4)`)
	mustExec(t, db, `INSERT INTO activity_owners (activity_id, owner) VALUES (7, 'alice'), (9, 'bob'), (9, 'alice')`)
	mustExec(t, db, `INSERT INTO contacts (id, name, email) VALUES (3, 'Ann', 'Ann@Example.com'), (5, 'Bo', 'bo@example.com')`)
	mustExec(t, db, `INSERT INTO activity_contacts (activity_id, contact_id) VALUES (9, 5), (9, 3)`)
	mustExec(t, db, `INSERT INTO attachments (activity_id, name, size, data) VALUES (9, 'a.pdf', 3, x'010203')`)
	db.Close()

	st := openStore(t, path)
	ctx := context.Background()
	all, err := st.AllActivities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "7" || all[1].ID != "9" {
		t.Fatalf("after the migration: %+v", all)
	}
	m := all[1]
	if m.Version != "4" || m.Subject != "old meeting" || len(m.Owners) != 2 || m.Owners[0] != "bob" ||
		len(m.Contacts) != 2 || m.Contacts[0] != "bo@example.com" || len(m.Attachments) != 1 || !m.Attachments[0].Stored {
		t.Fatalf("activity 9 after the migration: %+v", m)
	}
	if data, err := st.AttachmentData(ctx, "9", 0); err != nil || string(data) != "\x01\x02\x03" {
		t.Fatalf("attachment content: %q, %v", data, err)
	}
	// The triggers came back: a raster edit bumps the version, a delete
	// cleans up, contacts still match without case.
	db = rawDB(t, path)
	mustExec(t, db, `UPDATE activities SET start_at = '2026-01-02T09:00:00Z' WHERE id = 9`)
	var version int
	if err := db.QueryRow(`SELECT version FROM activities WHERE id = 9`).Scan(&version); err != nil || version != 5 {
		t.Fatalf("version after a raster edit: %d, %v", version, err)
	}
	mustExec(t, db, `DELETE FROM activities WHERE id = 9`)
	var orphans int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM activity_owners WHERE activity_id = 9) +
		(SELECT count(*) FROM activity_contacts WHERE activity_id = 9) + (SELECT count(*) FROM attachments WHERE activity_id = 9)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d orphan rows, %v", orphans, err)
	}
	if err := st.AddContact(ctx, "Ann again", "ann@EXAMPLE.com"); err != nil {
		t.Fatal(err)
	}
	var contacts int
	if err := db.QueryRow(`SELECT count(*) FROM contacts`).Scan(&contacts); err != nil || contacts != 2 {
		t.Fatalf("%d contacts, %v; want 2 (NOCASE kept)", contacts, err)
	}
	r, err := st.Upsert(ctx, []adapters.Activity{meeting("ical:new", "alice")})
	if err != nil || r[0].Err != nil {
		t.Fatal(err, r)
	}
	if r[0].Activity.ID != "10" {
		t.Fatalf("new activity got id %s after deleting 9, want 10", r[0].Activity.ID)
	}
	var version3 int
	if err := db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&version3); err != nil || version3 != latestMigration(t, "sqlite") {
		t.Fatalf("schema version %d, %v", version3, err)
	}
}
