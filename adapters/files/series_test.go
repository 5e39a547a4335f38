package files

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// The files source expands recurring series exactly as the CalDAV source
// does (issue 17, item 0): both call icalendar.Parse with Expand, so keys
// are "ical:UID/<RECURRENCE-ID in UTC>" on both.
func TestSnapshotExpandsSeries(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, lines ...string) {
		all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}, lines...)
		all = append(all, "END:VCALENDAR")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(all, "\r\n")+"\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A weekly meeting since 2020: only its occurrences in the window.
	write("since-2020.ics", "BEGIN:VEVENT", "UID:since-2020", "DTSTAMP:20200101T000000Z",
		"DTSTART;TZID=Europe/Berlin:20200302T090000", "DTEND;TZID=Europe/Berlin:20200302T100000",
		"RRULE:FREQ=WEEKLY;BYDAY=MO", "SUMMARY:Jour fixe", "END:VEVENT")
	// EXDATE on DTSTART: the cancelled first occurrence is not imported.
	write("exdate-first.ics", "BEGIN:VEVENT", "UID:exdate-first", "DTSTAMP:20270101T000000Z",
		"DTSTART:20270104T100000Z", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=3",
		"EXDATE:20270104T100000Z", "END:VEVENT")
	// An overridden first occurrence is one activity, the override.
	write("override-first.ics", "BEGIN:VEVENT", "UID:override-first", "DTSTAMP:20270101T000000Z",
		"DTSTART:20270105T120000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=2", "SUMMARY:plan", "END:VEVENT",
		"BEGIN:VEVENT", "UID:override-first", "DTSTAMP:20270101T000000Z", "RECURRENCE-ID:20270105T120000Z",
		"DTSTART:20270105T150000Z", "DURATION:PT1H", "SUMMARY:moved", "END:VEVENT")

	s := newSource(t, Options{CalendarDir: dir})
	window := adapters.Window{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}
	got := map[string]adapters.Item{}
	if _, err := s.Snapshot(context.Background(), adapters.SnapshotRequest{Window: window}, func(it adapters.Item) error {
		if it.Unreadable != "" || len(it.Warnings) != 0 {
			t.Errorf("%s: unreadable %q, warnings %q", it.ID, it.Unreadable, it.Warnings)
		}
		got[it.ID] = it
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	want := []string{
		"calendar/exdate-first.ics#ical:exdate-first/20270105T100000Z",
		"calendar/exdate-first.ics#ical:exdate-first/20270106T100000Z",
		"calendar/override-first.ics#ical:override-first/20270105T120000Z",
		"calendar/override-first.ics#ical:override-first/20270112T120000Z",
		// Mondays of January 2027 at 09:00 Berlin (08:00Z).
		"calendar/since-2020.ics#ical:since-2020/20270104T080000Z",
		"calendar/since-2020.ics#ical:since-2020/20270111T080000Z",
		"calendar/since-2020.ics#ical:since-2020/20270118T080000Z",
		"calendar/since-2020.ics#ical:since-2020/20270125T080000Z",
	}
	if strings.Join(ids, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ids:\n%s\nwant:\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
	}
	for id, it := range got {
		if _, key, _ := splitCalendarID(id); key != it.Key {
			t.Errorf("%s: key %s", id, it.Key)
		}
	}
	if first := got[want[2]]; first.Subject != "moved" || !first.Raster.Start.Equal(time.Date(2027, 1, 5, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("overridden first occurrence: %+v", first)
	}
	if occ := got[want[4]]; occ.Subject != "Jour fixe" || !occ.Raster.End.Equal(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("occurrence: %+v", occ)
	}

	// Writing a time to one occurrence writes an override into the file;
	// the series stays where it is.
	res, err := s.PutTimes(context.Background(), []adapters.TimeChange{{ID: want[5], IfVersion: got[want[5]].Version,
		Raster: adapters.Raster{Start: time.Date(2027, 1, 11, 13, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 11, 14, 0, 0, 0, time.UTC)}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("PutTimes: %v %v", err, res)
	}
	after := map[string]adapters.Item{}
	if _, err := s.Snapshot(context.Background(), adapters.SnapshotRequest{Window: window}, func(it adapters.Item) error {
		after[it.ID] = it
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(after) != len(got) || !after[want[5]].Raster.Start.Equal(time.Date(2027, 1, 11, 13, 0, 0, 0, time.UTC)) ||
		!after[want[6]].Raster.Start.Equal(got[want[6]].Raster.Start) {
		t.Errorf("after write-back: %d items, moved %v, next %v", len(after), after[want[5]].Raster, after[want[6]].Raster)
	}
}
