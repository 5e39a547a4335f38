package files

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotFileLayouts covers testdata/files: a file holding a master
// and its override, a file holding several UIDs, and a flat .eml folder.
func TestSnapshotFileLayouts(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "files")
	got := snapshotDir(t, Options{CalendarDir: filepath.Join(dir, "vdir"), MailDir: filepath.Join(dir, "eml")}, "Europe/Berlin")
	want := map[string]string{ // ID → key
		"calendar/weekly-sales-sync.ics": "ical:weekly-sales-sync@example.com",
		"calendar/weekly-sales-sync.ics#ical:weekly-sales-sync@example.com/20270112T080000Z": "ical:weekly-sales-sync@example.com/20270112T080000Z",
		"calendar/exported-calendar-dump.ics#ical:dump-1@example.org":                        "ical:dump-1@example.org",
		"calendar/exported-calendar-dump.ics#ical:dump-2@example.org":                        "ical:dump-2@example.org",
		"mail/2027-01-08 Re quote Tailspin.eml":                                              "mid:tailspin-1@example.org",
		"mail/no-message-id.eml":                                                             "mid-synth:",
	}
	if len(got) != len(want) {
		t.Errorf("got %d items, want %d", len(got), len(want))
	}
	for id, key := range want {
		it, ok := got[id]
		if !ok || !strings.HasPrefix(it.Key, key) || it.Unreadable != "" {
			t.Errorf("%s: %+v", id, it)
		}
	}
	master := got["calendar/weekly-sales-sync.ics"]
	if len(master.Warnings) != 1 || !strings.Contains(master.Warnings[0], "recurrence not expanded") {
		t.Errorf("master warnings %q", master.Warnings)
	}
	for id := range got {
		if strings.HasSuffix(id, ".txt") {
			t.Errorf("%s: not a calendar or mail file", id)
		}
	}
}

func TestSplitCalendarID(t *testing.T) {
	cases := []struct {
		id, name, key string
		ok            bool
	}{
		{"calendar/a.ics", "a.ics", "", true},
		{"calendar/a.ics#ical:x@y/20270101T000000Z", "a.ics", "ical:x@y/20270101T000000Z", true},
		{"export/gwsync-1.ics", "gwsync-1.ics", "", true},
		{"calendar/../x.ics", "", "", false},
		{"calendar/..", "", "", false},
		{"mail/a.eml", "", "", false},
		{"calendar/", "", "", false},
	}
	for _, c := range cases {
		name, key, ok := splitCalendarID(c.id)
		if name != c.name || key != c.key || ok != c.ok {
			t.Errorf("%s: %q %q %v", c.id, name, key, ok)
		}
	}
}
