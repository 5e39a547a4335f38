package files

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// snapshotDir runs a full snapshot of a files source over dir/calendar and
// dir/mail and returns the items by ID.
func snapshotDir(t *testing.T, opts Options, tz string) map[string]adapters.Item {
	t.Helper()
	raw, _ := json.Marshal(opts)
	src, err := adapters.NewSource("files", adapters.Config{Name: "test", Options: raw, TimeZone: tz})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got := map[string]adapters.Item{}
	end, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(it adapters.Item) error {
		if _, dup := got[it.ID]; dup {
			t.Errorf("duplicate ID %s", it.ID)
		}
		got[it.ID] = it
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot failed: %v", err)
	}
	if !end.Complete || end.Count != int64(len(got)) {
		t.Errorf("end %+v, emitted %d", end, len(got))
	}
	return got
}

// TestSnapshotMalformedCorpus runs over testdata/malformed (see its
// README.md): every broken file is reported, none fails the snapshot.
func TestSnapshotMalformedCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "malformed")
	got := snapshotDir(t, Options{CalendarDir: filepath.Join(dir, "calendar"), MailDir: filepath.Join(dir, "mail")}, "Europe/Berlin")
	cases := []struct {
		id         string
		unreadable string // substring of Unreadable; "" means imported
		warning    string // substring of a Warning of an imported item
	}{
		{"calendar/no-end-vcalendar.ics", "file ends without END:VCALENDAR", ""},
		{"calendar/vevent-without-dtstart.ics", "VEVENT without DTSTART", ""},
		{"calendar/bad-date-value.ics", `DTSTART: bad date-time "2027-01-15 09:00"`, ""},
		{"calendar/garbage-bytes.ics", "garbage-bytes.ics: line 1:", ""},
		{"calendar/empty.ics", "empty file", ""},
		{"calendar/unknown-tzid.ics", "", `unknown TZID "Middle Earth Standard Time"`},
		{"calendar/one-good-one-bad.ics#ical:mal-mixed-good@example.com", "", "-"},
		{"calendar/one-good-one-bad.ics#ical:mal-mixed-bad@example.com", "DTSTART: bad date-time", ""},
		{"mail/empty.eml", "empty message", ""},
		{"mail/no-headers.eml", "no message header", ""},
		{"mail/broken-boundary.eml", "", "multipart structure broken"},
		{"mail/bad-base64.eml", "", "illegal base64"},
		{"mail/8bit-headers.eml", "", "read as Windows-1252"},
		{"mail/nested-rfc822.eml", "", "-"},
	}
	for _, tc := range cases {
		it, ok := got[tc.id]
		if !ok {
			t.Errorf("%s: not emitted", tc.id)
			continue
		}
		delete(got, tc.id)
		if tc.unreadable != "" {
			if !strings.Contains(it.Unreadable, tc.unreadable) || !strings.Contains(it.Unreadable, strings.SplitN(filepath.Base(tc.id), "#", 2)[0]) {
				t.Errorf("%s: unreadable %q, want the file name and %q", tc.id, it.Unreadable, tc.unreadable)
			}
			continue
		}
		if it.Unreadable != "" || it.Key == "" || it.Version == "" {
			t.Errorf("%s: not imported: %+v", tc.id, it)
			continue
		}
		if tc.warning != "-" && !strings.Contains(strings.Join(it.Warnings, "\n"), tc.warning) {
			t.Errorf("%s: warnings %q, want one with %q", tc.id, it.Warnings, tc.warning)
		}
	}
	for id := range got {
		t.Errorf("unexpected item %s (ignored files must not be emitted)", id)
	}
}
