package files

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotFileLayouts covers testdata/files: a file holding a weekly
// series (COUNT=12) and one override, a file holding several UIDs, and a
// flat .eml folder. The series is expanded as the CalDAV source expands
// it: eleven occurrences plus the override, keyed by RECURRENCE-ID.
func TestSnapshotFileLayouts(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "files")
	got := snapshotDir(t, Options{CalendarDir: filepath.Join(dir, "vdir"), MailDir: filepath.Join(dir, "eml")}, "Europe/Berlin")
	const series = "calendar/weekly-sales-sync.ics#ical:weekly-sales-sync@example.com/"
	want := map[string]string{ // ID → key
		series + "20270105T080000Z":                                   "ical:weekly-sales-sync@example.com/20270105T080000Z",
		series + "20270112T080000Z":                                   "ical:weekly-sales-sync@example.com/20270112T080000Z", // the override
		series + "20270323T080000Z":                                   "ical:weekly-sales-sync@example.com/20270323T080000Z",
		"calendar/exported-calendar-dump.ics#ical:dump-1@example.org": "ical:dump-1@example.org",
		"calendar/exported-calendar-dump.ics#ical:dump-2@example.org": "ical:dump-2@example.org",
		"mail/2027-01-08 Re quote Tailspin.eml":                       "mid:tailspin-1@example.org",
		"mail/no-message-id.eml":                                      "mid-synth:",
	}
	if len(got) != 12+2+2 {
		t.Errorf("got %d items, want 16", len(got))
	}
	for id, key := range want {
		it, ok := got[id]
		if !ok || !strings.HasPrefix(it.Key, key) || it.Unreadable != "" {
			t.Errorf("%s: %+v", id, it)
		}
	}
	if s := got[series+"20270112T080000Z"].Subject; s != "Weekly sales sync (moved)" {
		t.Errorf("override subject %q", s)
	}
	for id, it := range got {
		if strings.HasSuffix(id, ".txt") {
			t.Errorf("%s: not a calendar or mail file", id)
		}
		if len(it.Warnings) != 0 && strings.HasPrefix(id, "calendar/") {
			t.Errorf("%s: warnings %q", id, it.Warnings)
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
