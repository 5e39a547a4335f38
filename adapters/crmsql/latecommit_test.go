package crmsql_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// A change whose transaction is still open while gwsync lists (a CRM
// application's booking, another worker's import) is listed once it
// commits, although a change made after it committed first: the cursor
// stops below the open transaction (migration 0005). With numbers taken
// from a sequence, the listing returned the later change's number and
// the booking was never listed.
func TestPostgresListingWaitsForALateCommit(t *testing.T) {
	s, dsn := newSink(t, backends[1], true)
	upsertOne(t, s, meeting("ical:other", "bob")) // opens the database
	db := rawDB(t, dsn)
	late, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback()
	var booked string
	if err := late.QueryRow(db.bind(`INSERT INTO activities (type, subject, start_at) VALUES ('APPOINTMENT', 'booked in the CRM', '2026-12-08T09:00:00Z') RETURNING CAST(id AS TEXT)`)).Scan(&booked); err != nil {
		t.Fatal(err)
	}
	if _, err := late.Exec(db.bind(`INSERT INTO activity_owners (activity_id, owner) VALUES (?, 'alice')`), booked); err != nil {
		t.Fatal(err)
	}
	imported := upsertOne(t, s, meeting("ical:a", "alice")).Activity

	first, end := listChanges(t, s, adapters.ChangeQuery{Owner: "alice"})
	if got := ids(first); len(got) != 1 || got[0] != imported.ID {
		t.Fatalf("listed %v while the booking was uncommitted, want only the import %s", got, imported.ID)
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	next, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "alice", Since: end.Cursor})
	found := false
	for _, a := range next {
		found = found || a.ID == booked
	}
	if !found {
		t.Fatalf("from cursor %d after the booking committed: listed %v, want booking %s among them", end.Cursor, ids(next), booked)
	}
}

// A database whose changes were numbered by the sequence (migrations 0002
// to 0004) keeps its cursors: changes numbered by transactions after
// 0005 are above every number the sequence gave, however far it had gone.
func TestPostgresNumbersStayAboveTheSequenceAfterUpgrade(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := rawDB(t, dsn)
	mustExec(t, db, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL DEFAULT '')`)
	for v, name := range []string{"0001_initial", "0002_change_sequence", "0003_change_seq_per_statement", "0004_owner_changes"} {
		body, err := os.ReadFile(filepath.Join("migrations", "postgres", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, string(body))
		mustExec(t, db, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, v+1, name)
	}
	mustExec(t, db, `SELECT setval('activity_changes', 1000000000000)`) // far above this server's transaction ids
	mustExec(t, db, `INSERT INTO activities (type, subject, ext_key) VALUES ('MAILIN', 'before the upgrade', 'mid:old@x')`)
	mustExec(t, db, `INSERT INTO activity_owners (activity_id, owner) SELECT id, 'alice' FROM activities`)
	var oldCursor int64 // what an older gwsync's listing returned
	if err := db.QueryRow(`SELECT last_value FROM activity_changes`).Scan(&oldCursor); err != nil {
		t.Fatal(err)
	}

	st := openStore(t, dsn)
	added := upsertOne(t, st, meeting("ical:new", "alice")).Activity
	got, end := listChanges(t, st, adapters.ChangeQuery{Owner: "alice", Since: oldCursor})
	if len(got) != 1 || got[0].ID != added.ID || got[0].Change <= oldCursor || end.Cursor < oldCursor {
		t.Fatalf("from the cursor before the upgrade (%d): %+v, cursor %d; want only %s, numbered above it", oldCursor, got, end.Cursor, added.ID)
	}
	if all, _ := listChanges(t, st, adapters.ChangeQuery{Owner: "alice"}); len(all) != 2 {
		t.Fatalf("full listing after the upgrade: %v, want both activities", ids(all))
	}
}

// A database restored into a cluster whose transaction ids are lower than
// the numbers it holds: gwsync raises the offset when it opens it, so new
// changes are numbered above the stored ones, not hidden below a cursor.
func TestPostgresRestoredDatabaseNumbersAboveItsRows(t *testing.T) {
	s, dsn := newSink(t, backends[1], true)
	upsertOne(t, s, meeting("ical:a", "alice"))
	db := rawDB(t, dsn)
	// The numbers of a cluster that had run far longer than this one.
	for _, table := range []string{"activities", "activity_owners"} {
		mustExec(t, db, `ALTER TABLE `+table+` DISABLE TRIGGER USER`)
		mustExec(t, db, `UPDATE `+table+` SET change_seq = change_seq + 1000000000000`)
		mustExec(t, db, `ALTER TABLE `+table+` ENABLE TRIGGER USER`)
	}
	var high int64
	if err := db.QueryRow(`SELECT max(change_seq) FROM activities`).Scan(&high); err != nil {
		t.Fatal(err)
	}

	st := openStore(t, dsn) // gwsync opening the restored database
	added := upsertOne(t, st, meeting("ical:b", "alice")).Activity
	got, _ := listChanges(t, st, adapters.ChangeQuery{Owner: "alice", Since: high})
	if len(got) != 1 || got[0].ID != added.ID || got[0].Change <= high {
		t.Fatalf("from cursor %d (the restored database's highest number): %+v, want %s numbered above it", high, got, added.ID)
	}
}
