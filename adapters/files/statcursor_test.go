package files

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

const eventICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270114T090000Z\r\nDTEND:20270114T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// writeOld writes a file and dates it an hour back, out of the racy margin.
func writeOld(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func event(uid, summary string) string {
	return strings.ReplaceAll(strings.ReplaceAll(eventICS, "%s\r\nDTSTAMP", uid+"\r\nDTSTAMP"), "SUMMARY:%s", "SUMMARY:"+summary)
}

// snapshotWith lists src with cursor and returns what it emitted by ID.
func snapshotWith(t *testing.T, src adapters.Source, cursor string) (map[string]adapters.Item, adapters.SnapshotEnd) {
	t.Helper()
	got := map[string]adapters.Item{}
	end, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{Cursor: cursor}, func(it adapters.Item) error {
		got[it.ID] = it
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, end
}

func ids(m map[string]adapters.Item) string {
	var out []string
	for id, it := range m {
		if it.Deleted {
			id += "(deleted)"
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestStatCursorReadsOnlyChangedFiles(t *testing.T) {
	dir := t.TempDir()
	cal, mail := filepath.Join(dir, "cal"), filepath.Join(dir, "mail")
	for _, d := range []string{cal, filepath.Join(mail, "cur"), filepath.Join(mail, "new")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeOld(t, filepath.Join(cal, "a.ics"), event("a", "Alpha"))
	writeOld(t, filepath.Join(cal, "b.ics"), event("b", "Beta"))
	writeOld(t, filepath.Join(cal, "c.ics"), event("c", "Gamma"))
	msg := "From: x@example.com\r\nMessage-ID: <m1@example.com>\r\nSubject: hi\r\n\r\nbody\r\n"
	writeOld(t, filepath.Join(mail, "new", "111.M1"), msg)
	raw, _ := json.Marshal(Options{CalendarDir: cal, MailDir: mail})
	src, err := adapters.NewSource("files", adapters.Config{Name: "t", Options: raw})
	if err != nil {
		t.Fatal(err)
	}

	first, end := snapshotWith(t, src, "")
	if !end.Complete || end.Cursor == "" || ids(first) != "calendar/a.ics calendar/b.ics calendar/c.ics mail/111.M1" {
		t.Fatalf("first: complete %v cursor %q items %s", end.Complete, end.Cursor, ids(first))
	}

	again, end2 := snapshotWith(t, src, end.Cursor)
	if end2.Complete || len(again) != 0 {
		t.Fatalf("unchanged: complete %v items %s, want an incremental listing of nothing", end2.Complete, ids(again))
	}
	// The engine's window moves every run; without a recurring file that
	// changes nothing, and the given cursor comes back as it was.
	moved := adapters.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}
	endW, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{Cursor: end.Cursor, Window: moved},
		func(it adapters.Item) error { t.Errorf("unchanged, window moved: emitted %s", it.ID); return nil })
	if err != nil || endW.Cursor != end.Cursor || endW.Complete {
		t.Errorf("unchanged, window moved: %v, complete %v, cursor given back %v", err, endW.Complete, endW.Cursor == end.Cursor)
	}

	// a.ics: same size and mtime and inode, other bytes: proof that an
	// unchanged stat is not read. b.ics: edited (new mtime). c.ics: gone.
	// The message moves to cur/ and gets a flag: same ID, read again.
	// d.ics is new and written just now: read, but not recorded (racy).
	fiA, _ := os.Stat(filepath.Join(cal, "a.ics"))
	if err := os.WriteFile(filepath.Join(cal, "a.ics"), []byte(event("a", "Omega")), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(cal, "a.ics"), fiA.ModTime(), fiA.ModTime())
	writeOld(t, filepath.Join(cal, "b.ics"), event("b", "Beta edited"))
	os.Chtimes(filepath.Join(cal, "b.ics"), time.Now().Add(-30*time.Minute), time.Now().Add(-30*time.Minute))
	os.Remove(filepath.Join(cal, "c.ics"))
	if err := os.Rename(filepath.Join(mail, "new", "111.M1"), filepath.Join(mail, "cur", "111.M1:2,S")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(cal, "d.ics"), []byte(event("d", "Delta")), 0o644)

	changed, end3 := snapshotWith(t, src, end2.Cursor)
	if got, want := ids(changed), "calendar/b.ics calendar/c.ics(deleted) calendar/d.ics mail/111.M1"; got != want {
		t.Fatalf("after changes: %s, want %s", got, want)
	}
	if changed["calendar/b.ics"].Subject != "Beta edited" || changed["calendar/d.ics"].Subject != "Delta" {
		t.Errorf("changed items: %+v", changed)
	}

	next, _ := snapshotWith(t, src, end3.Cursor)
	if got := ids(next); got != "calendar/d.ics" {
		t.Errorf("next run: %s, want only the racy calendar/d.ics read again", got)
	}

	complete, endF := snapshotWith(t, src, "another-format")
	if !endF.Complete || len(complete) != 4 || complete["calendar/a.ics"].Subject != "Omega" {
		t.Errorf("foreign cursor: complete %v, %s", endF.Complete, ids(complete))
	}
}

func TestStatCursorRecurringFollowsTheWindow(t *testing.T) {
	cal := t.TempDir()
	series := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270104T090000Z\r\nDTEND:20270104T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	writeOld(t, filepath.Join(cal, "s.ics"), series)
	raw, _ := json.Marshal(Options{CalendarDir: cal})
	src, _ := adapters.NewSource("files", adapters.Config{Name: "t", Options: raw})
	jan := adapters.Window{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)}
	list := func(w adapters.Window, cursor string) (map[string]adapters.Item, string) {
		got := map[string]adapters.Item{}
		end, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{Window: w, Cursor: cursor}, func(it adapters.Item) error {
			got[it.ID] = it
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, end.Cursor
	}
	first, cur := list(jan, "")
	if len(first) != 3 {
		t.Fatalf("January: %s", ids(first))
	}
	same, cur := list(jan, cur)
	if len(same) != 0 {
		t.Errorf("same window: %s, want nothing", ids(same))
	}
	later := adapters.Window{From: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 30, 0, 0, 0, 0, time.UTC)}
	moved, _ := list(later, cur)
	var deleted, live int
	for _, it := range moved {
		if it.Deleted {
			deleted++
		} else {
			live++
		}
	}
	if live != 2 || deleted != 0 {
		t.Errorf("moved window: %s, want the 2 occurrences inside it and no tombstone for those that left it", ids(moved))
	}
}
