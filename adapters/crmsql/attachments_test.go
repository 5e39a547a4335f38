package crmsql_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

func binary(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*13 + i>>8)
	}
	return b
}

// Content sent with an activity is stored byte for byte; listings and
// upsert results say Stored and never carry it; AttachmentData reads it.
func TestAttachmentContentRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		pdf := binary(3000)
		in := meeting("mid:with-files@x", "alice")
		in.Type = adapters.TypeMailIn
		in.Attachments = []adapters.Attachment{
			{Name: "draft.pdf", Type: "application/pdf", Size: int64(len(pdf)), Data: pdf},
			{Name: "huge.iso", Type: "application/octet-stream", Size: 2 << 20},
			{Name: "empty.txt", Type: "text/plain", Size: 0, Data: []byte{}},
		}
		r := upsertOne(t, s, in)
		want := []adapters.Attachment{
			{Name: "draft.pdf", Type: "application/pdf", Size: int64(len(pdf)), Stored: true},
			{Name: "huge.iso", Type: "application/octet-stream", Size: 2 << 20},
			{Name: "empty.txt", Type: "text/plain", Size: 0, Stored: true},
		}
		checkAttachments(t, "upsert result", r.Activity.Attachments, want)
		listed := listAll(t, s, adapters.ActivityQuery{Owner: "alice"})
		checkAttachments(t, "listing", listed[0].Attachments, want)

		st := openStore(t, path)
		ctx := context.Background()
		if got, err := st.AttachmentData(ctx, r.Activity.ID, 0); err != nil || !bytes.Equal(got, pdf) {
			t.Fatalf("AttachmentData 0: %d bytes, %v", len(got), err)
		}
		if got, err := st.AttachmentData(ctx, r.Activity.ID, 2); err != nil || len(got) != 0 {
			t.Fatalf("AttachmentData 2: %q, %v", got, err)
		}
		for _, i := range []int{1, 3, -1} {
			_, err := st.AttachmentData(ctx, r.Activity.ID, i)
			wantCode(t, err, adapters.CodeNotFound)
		}
		_, err := st.AttachmentData(ctx, "no-such-id", 0)
		wantCode(t, err, adapters.CodeNotFound)

		// The same key again (another user's mailbox): nothing about the
		// attachments changes, content or not.
		again := in
		again.Owners = []string{"bob"}
		again.Attachments = []adapters.Attachment{{Name: "other.pdf", Size: 1, Data: []byte("x")}}
		r2 := upsertOne(t, s, again)
		checkAttachments(t, "second upsert", r2.Activity.Attachments, want)
	})
}

func checkAttachments(t *testing.T, what string, got, want []adapters.Attachment) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: attachments %+v, want %+v", what, got, want)
	}
	for i := range want {
		g := got[i]
		if g.Data != nil || g.Name != want[i].Name || g.Type != want[i].Type || g.Size != want[i].Size || g.Stored != want[i].Stored || g.Part != "" {
			t.Errorf("%s: attachment %d = %+v, want %+v", what, i, g, want[i])
		}
	}
}

// A CRM file made by a gwsync before 0002 gets the data column when it is
// opened: its attachments are listed as before (not stored), and new ones
// store content.
func TestAttachmentDataMigratesAnExistingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crm.db")
	initial, err := os.ReadFile(filepath.Join("migrations", "sqlite", "0001_initial.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	mustExec(t, db, string(initial))
	mustExec(t, db, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))`)
	mustExec(t, db, `INSERT INTO schema_migrations (version, name) VALUES (1, '0001_initial')`)
	mustExec(t, db, `INSERT INTO activities (id, type, subject, ext_key) VALUES (7, 'MAILIN', 'old mail', 'mid:old@x')`)
	mustExec(t, db, `INSERT INTO activity_owners (activity_id, owner) VALUES (7, 'alice')`)
	mustExec(t, db, `INSERT INTO attachments (activity_id, name, type, size) VALUES (7, 'old.pdf', 'application/pdf', 1234)`)
	db.Close()

	st := openStore(t, path)
	ctx := context.Background()
	var listed []adapters.Activity
	if _, err := st.ListActivities(ctx, adapters.ActivityQuery{Owner: "alice"}, func(a adapters.Activity) error {
		listed = append(listed, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 {
		t.Fatalf("listed %+v", listed)
	}
	checkAttachments(t, "old activity", listed[0].Attachments, []adapters.Attachment{{Name: "old.pdf", Type: "application/pdf", Size: 1234}})
	_, err = st.AttachmentData(ctx, "7", 0)
	wantCode(t, err, adapters.CodeNotFound)

	in := meeting("mid:new@x", "alice")
	in.Attachments = []adapters.Attachment{{Name: "new.pdf", Size: 4, Data: []byte("%PDF")}}
	r := upsertOne(t, st, in)
	if got, err := st.AttachmentData(ctx, r.Activity.ID, 0); err != nil || string(got) != "%PDF" {
		t.Fatalf("new content after migration: %q, %v", got, err)
	}
	var version int
	if err := rawDB(t, path).QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != latestMigration(t, "sqlite") {
		t.Fatalf("schema version %d, %v", version, err)
	}
}
