package imap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// TestIncremental: a full snapshot, a no-change resync that costs one
// EXAMINE, and new messages after the cursor that come alone.
func TestIncremental(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"))
		src := open(t, srv.opts(f))

		items, end := snap(t, src, "")
		if len(items) != 2 || !end.Complete || end.Cursor == "" {
			t.Fatalf("full snapshot: %d items, end %+v", len(items), end)
		}
		for _, it := range items {
			if !strings.HasPrefix(it.ID, f+"/") || strings.Count(it.ID, "/") != 2 {
				t.Errorf("ID %q, want %q/<uidvalidity>/<uid>", it.ID, f)
			}
		}

		before := src.Commands()
		items, end2 := snap(t, src, end.Cursor)
		if len(items) != 0 || end2.Complete {
			t.Fatalf("no-change resync: %d items, complete %v", len(items), end2.Complete)
		}
		if n := src.Commands() - before; n != 1 {
			t.Errorf("no-change resync sent %d commands, want 1 (EXAMINE)", n)
		}

		imaptest.Append(t, c, f, msg("c@x", "C", "kunde@example.org"))
		items, end3 := snap(t, src, end2.Cursor)
		if len(items) != 1 || items[0].Key != "mid:c@x" || end3.Complete {
			t.Fatalf("after one new message: %+v, complete %v", items, end3.Complete)
		}
		items, _ = snap(t, src, end3.Cursor)
		if len(items) != 0 {
			t.Fatalf("resync after the new message: %d items", len(items))
		}
		// The old cursor still yields only what came after it.
		items, _ = snap(t, open(t, srv.opts(f)), end2.Cursor)
		if len(items) != 1 {
			t.Fatalf("old cursor in a new source: %d items, want 1", len(items))
		}
	})
}

// TestUIDValidityReset: a recreated folder voids the cursor.
func TestUIDValidityReset(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"))
		src := open(t, srv.opts(f))
		_, end := snap(t, src, "")
		imaptest.Recreate(t, c, f)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"))
		_, _, err := trySnap(t, src, end.Cursor)
		if adapters.CodeOf(err) != adapters.CodeCursorInvalid || !strings.Contains(err.Error(), "UIDVALIDITY") {
			t.Fatalf("snapshot after recreate: %v, want CursorInvalid naming UIDVALIDITY", err)
		}
		items, _ := snap(t, src, "")
		if len(items) != 1 || items[0].Key != "mid:a@x" {
			t.Fatalf("full snapshot after recreate: %+v", items)
		}
	})
}

// TestFoldersAndKeys: a non-ASCII folder name, the same message in two
// folders (one Key, two IDs), a message without Message-ID (a stable
// synthetic key).
func TestFoldersAndKeys(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f1, f2 := folder("Entwürfe & Test"), folder("Kunden/Größe")
		c := srv.client(t)
		imaptest.Append(t, c, f1, msg("same@x", "Angebot für Müller", "kunde@example.org"), msg("", "ohne ID", "kunde@example.org"))
		imaptest.Append(t, c, f2, msg("same@x", "Angebot für Müller", "kunde@example.org"))
		src := open(t, srv.opts(f1, f2))
		items, _ := snap(t, src, "")
		k := keys(items)
		if len(items) != 3 || k["mid:same@x"] != 2 {
			t.Fatalf("items %+v", items)
		}
		var synth string
		for _, it := range items {
			if it.Subject == "ohne ID" {
				synth = it.Key
			}
			if it.Key == "mid:same@x" && it.Subject != "Angebot für Müller" {
				t.Errorf("subject %q", it.Subject)
			}
		}
		if !strings.HasPrefix(synth, "mid-synth:") {
			t.Fatalf("message without Message-ID has key %q", synth)
		}
		again, _ := snap(t, open(t, srv.opts(f1, f2)), "")
		if keys(again)[synth] != 1 {
			t.Errorf("synthetic key %s not stable across snapshots", synth)
		}
	})
}

// TestMalformed: every file of testdata/malformed/mail is imported as well
// as it can be or reported unreadable with its UID; the snapshot goes on.
func TestMalformed(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "malformed", "mail")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Malformed")
		c := srv.client(t)
		imaptest.Create(t, c, f)
		appended := 0
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 {
				continue // IMAP cannot store a 0-byte message (APPEND refuses it)
			}
			imaptest.Append(t, c, f, b)
			appended++
		}
		imaptest.Append(t, c, f, msg("good@x", "after the bad ones", "kunde@example.org"))
		items, _ := snap(t, open(t, srv.opts(f)), "")
		if len(items) != appended+1 {
			t.Fatalf("%d items for %d messages", len(items), appended+1)
		}
		var unreadable, warned int
		for _, it := range items {
			switch {
			case it.Unreadable != "":
				unreadable++
				if !strings.HasPrefix(it.Unreadable, "UID ") || it.ID == "" {
					t.Errorf("unreadable item %q: %q, want the UID named", it.ID, it.Unreadable)
				}
			case len(it.Warnings) > 0:
				warned++
			}
		}
		if keys(items)["mid:good@x"] != 1 {
			t.Error("the good message after the bad ones is missing")
		}
		if unreadable == 0 || warned == 0 {
			t.Errorf("%d unreadable, %d with warnings: want some of each (no-headers.eml, bad-base64.eml)", unreadable, warned)
		}
	})
}

// TestWrongPassword: one clear Unauthorized error naming server and user.
func TestWrongPassword(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		srv.pass = "wrong"
		src := open(t, srv.opts("Import Folder"))
		_, err := src.Info(ctx(t))
		want := "imap://" + srv.addr + ": login failed for user " + srv.user
		if adapters.CodeOf(err) != adapters.CodeUnauthorized || !strings.Contains(err.Error(), want) {
			t.Fatalf("Info with a wrong password: %v, want Unauthorized %q", err, want)
		}
		if n := src.Commands(); n != 1 {
			t.Errorf("%d commands sent, want the one login (no retries)", n)
		}
	})
}

// TestAfterImportFlag: messages the previous cursor covered get the
// keyword at the start of the next snapshot; nothing is deleted.
func TestAfterImportFlag(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		uids := imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"))
		src := open(t, withOpts(t, srv.opts(f), map[string]any{"after_import": "flag"}))
		_, end := snap(t, src, "")
		if hasFlag(imaptest.Flags(t, c, f, uids[0]), "$Imported") {
			t.Fatal("flagged before the import was committed")
		}
		imaptest.Append(t, c, f, msg("b@x", "B", "kunde@example.org"))
		items, _ := snap(t, src, end.Cursor)
		if len(items) != 1 || items[0].Key != "mid:b@x" {
			t.Fatalf("second snapshot %+v", items)
		}
		if !hasFlag(imaptest.Flags(t, c, f, uids[0]), "$Imported") {
			t.Error("committed message not flagged $Imported")
		}
		if imaptest.Count(t, c, f) != 2 {
			t.Error("a message disappeared")
		}
	})
}

// TestAfterImportMove: committed messages move to move_to (created when
// missing), never deleted.
func TestAfterImportMove(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f, done := folder("Import Folder"), folder("Imported")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"))
		src := open(t, withOpts(t, srv.opts(f), map[string]any{"after_import": "move", "move_to": done}))
		_, end := snap(t, src, "")
		items, end2 := snap(t, src, end.Cursor)
		if len(items) != 0 {
			t.Fatalf("resync emitted %d items", len(items))
		}
		if n, m := imaptest.Count(t, c, f), imaptest.Count(t, c, done); n != 0 || m != 2 {
			t.Fatalf("after the move: %d in %q, %d in %q; want 0 and 2", n, f, m, done)
		}
		if items, _ := snap(t, src, end2.Cursor); len(items) != 0 {
			t.Fatalf("third run emitted %d items", len(items))
		}
	})
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, x := range flags {
		if strings.EqualFold(string(x), string(f)) {
			return true
		}
	}
	return false
}
