package files

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// With nothing changed, the snapshot compares the folders with the
// cursor's fingerprint and hands the cursor back without decoding it:
// proven with a cursor whose entries are damaged, which a decode would
// refuse (and list everything again). Any change in what the fingerprint
// covers (a new file, a changed mtime, a vanished file) takes the full
// path.
func TestFingerprintSparesDecodingAnUnchangedCursor(t *testing.T) {
	dir := t.TempDir()
	cal := filepath.Join(dir, "cal")
	if err := os.MkdirAll(cal, 0o755); err != nil {
		t.Fatal(err)
	}
	writeOld(t, filepath.Join(cal, "a.ics"), event("a", "Alpha"))
	writeOld(t, filepath.Join(cal, "b.ics"), event("b", "Beta"))
	raw, _ := json.Marshal(Options{CalendarDir: cal})
	src, err := adapters.NewSource("files", adapters.Config{Name: "t", Options: raw})
	if err != nil {
		t.Fatal(err)
	}
	_, end := snapshotWith(t, src, "")
	if !strings.HasPrefix(end.Cursor, statCursorPrefix2+"N") {
		t.Fatalf("cursor %.40q…; want the fingerprinted format without recurring files", end.Cursor)
	}
	damaged := end.Cursor[:len(statCursorPrefix2)+1+fingerprintLen+1] + "not-base64!"
	if _, ok := decodeStatCursor(damaged, "x"); ok {
		t.Fatal("the damaged cursor decodes")
	}
	items, same := snapshotWith(t, src, damaged)
	if len(items) != 0 || same.Cursor != damaged || same.Complete {
		t.Fatalf("unchanged folder: %d items, complete %v, cursor given back %v; want the fast path", len(items), same.Complete, same.Cursor == damaged)
	}

	later := time.Now().Add(-20 * time.Minute)
	os.Chtimes(filepath.Join(cal, "b.ics"), later, later)
	items, full := snapshotWith(t, src, damaged)
	if ids(items) != "calendar/a.ics calendar/b.ics" || !full.Complete {
		t.Fatalf("b.ics touched, damaged cursor: %s complete %v; want a complete listing", ids(items), full.Complete)
	}
	items, _ = snapshotWith(t, src, full.Cursor)
	if len(items) != 0 {
		t.Fatalf("unchanged after the full listing: %s", ids(items))
	}
	writeOld(t, filepath.Join(cal, "c.ics"), event("c", "Gamma"))
	items, withC := snapshotWith(t, src, full.Cursor)
	if ids(items) != "calendar/c.ics" {
		t.Fatalf("a new file: %s", ids(items))
	}
	os.Remove(filepath.Join(cal, "a.ics"))
	if items, _ = snapshotWith(t, src, withC.Cursor); ids(items) != "calendar/a.ics(deleted)" {
		t.Fatalf("a vanished file: %s", ids(items))
	}
}

// A cursor of the first format (no fingerprint) is still read.
func TestFirstFormatCursorIsStillRead(t *testing.T) {
	c := statCursor{Setup: "s", Files: map[string]fileEntry{"calendar/a.ics": {Size: 1, MTime: 2, Inode: 3}}}
	v2 := c.encode()
	_, payload, _ := strings.Cut(strings.TrimPrefix(v2, statCursorPrefix2), ":")
	got, ok := decodeStatCursor(statCursorPrefix+payload, "s")
	if !ok || got.Files["calendar/a.ics"].Inode != 3 {
		t.Fatalf("first format: %+v %v", got, ok)
	}
	if got, ok := decodeStatCursor(v2, "s"); !ok || got.Files["calendar/a.ics"].MTime != 2 {
		t.Fatalf("second format: %+v %v", got, ok)
	}
}

// An unchanged listing from a first-format cursor returns the new format,
// so that the next run takes the fast path.
func TestFirstFormatCursorIsRewrittenOnce(t *testing.T) {
	dir := t.TempDir()
	writeOld(t, filepath.Join(dir, "a.ics"), event("a", "Alpha"))
	raw, _ := json.Marshal(Options{CalendarDir: dir})
	src, err := adapters.NewSource("files", adapters.Config{Name: "t", Options: raw})
	if err != nil {
		t.Fatal(err)
	}
	_, end := snapshotWith(t, src, "")
	_, payload, _ := strings.Cut(strings.TrimPrefix(end.Cursor, statCursorPrefix2), ":")
	items, next := snapshotWith(t, src, statCursorPrefix+payload)
	if len(items) != 0 || next.Complete || !strings.HasPrefix(next.Cursor, statCursorPrefix2) {
		t.Fatalf("first-format cursor, nothing changed: %d items, complete %v, cursor %.20q…", len(items), next.Complete, next.Cursor)
	}
}
