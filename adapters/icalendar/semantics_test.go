package icalendar

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// The RFC 5545 semantics the differential test found wrong, each asserted
// with its exact instants (the differential test accepts some of them as
// differences from the reference, so it alone would not pin the values).

var year2026 = adapters.Window{From: utc("2026-01-01 00:00"), To: utc("2027-01-01 00:00")}

func rasters(items []adapters.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Raster.Start.UTC().Format("01-02 15:04")+"/"+it.Raster.End.UTC().Format("01-02 15:04"))
	}
	return out
}

func expectRasters(t *testing.T, items []adapters.Item, want ...string) {
	t.Helper()
	if got := strings.Join(rasters(items), " "); got != strings.Join(want, " ") {
		t.Errorf("got  %s\nwant %s", got, strings.Join(want, " "))
	}
}

// RFC 5545 3.3.5: 02:30 in New York's spring gap is read with the offset
// before the gap (EST, 07:30Z = 03:30 EDT), 01:30 on the fall-back day is
// its first occurrence (EDT, 05:30Z); Berlin (east of UTC) the same.
// time.Date would give 06:30Z and, for Berlin's fold, the second one.
func TestDSTGapAndFold(t *testing.T) {
	for _, c := range []struct{ tzid, start, end, want string }{
		{"America/New_York", "20260308T023000", "20260308T040000", "03-08 07:30/03-08 08:00"},
		{"America/New_York", "20261101T013000", "20261101T033000", "11-01 05:30/11-01 08:30"},
		{"America/New_York", "20260308T013000", "20260308T023000", "03-08 06:30/03-08 07:30"}, // ends in the gap
		{"Europe/Berlin", "20260329T023000", "20260329T040000", "03-29 01:30/03-29 02:00"},
		{"Europe/Berlin", "20261025T023000", "20261025T043000", "10-25 00:30/10-25 03:30"},
		{"Custom Berlin", "20261025T023000", "20261025T043000", "10-25 00:30/10-25 03:30"},
		{"Custom Berlin", "20260329T023000", "20260329T040000", "03-29 01:30/03-29 02:00"},
	} {
		data := cal(append(berlinVTimezone, event("DTSTART;TZID="+c.tzid+":"+c.start, "DTEND;TZID="+c.tzid+":"+c.end)...)...)
		expectRasters(t, []adapters.Item{parseOne(t, data, ParseOptions{})}, c.want)
	}
}

// A monthly series at 02:30 inherits the rule: on the gap day (second
// Sunday of March) it starts at 03:30 EDT, the other months at 02:30.
func TestSeriesInheritsDSTGap(t *testing.T) {
	data := cal(event("DTSTART;TZID=America/New_York:20260208T023000", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYDAY=2SU;COUNT=3")...)
	expectRasters(t, expandAll(t, data, year2026), "02-08 07:30/02-08 08:30", "03-08 07:30/03-08 08:30", "04-12 06:30/04-12 07:30")
}

// A floating EXDATE or RDATE on a TZID series is read in the series' zone.
func TestFloatingExdateRdateInSeriesZone(t *testing.T) {
	data := cal(event("DTSTART;TZID=America/New_York:20260105T190000", "DTEND;TZID=America/New_York:20260105T200000",
		"RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20260112T190000", "RDATE:20260301T080000")...)
	expectRasters(t, expandAll(t, data, year2026), "01-06 00:00/01-06 01:00", "01-20 00:00/01-20 01:00", "03-01 13:00/03-01 14:00")
}

// An override whose RECURRENCE-ID is the UTC form of a New York evening
// (the next day in UTC) replaces that instance.
func TestOverrideWithUTCRecurrenceID(t *testing.T) {
	data := cal(append(event("DTSTART;TZID=America/New_York:20260105T190000", "DTEND;TZID=America/New_York:20260105T200000", "RRULE:FREQ=WEEKLY;COUNT=3"),
		"BEGIN:VEVENT", "UID:e1@example.com", "RECURRENCE-ID:20260113T000000Z",
		"DTSTART;TZID=America/New_York:20260113T080000", "DTEND;TZID=America/New_York:20260113T090000", "END:VEVENT")...)
	items := expandAll(t, data, year2026)
	expectRasters(t, items, "01-06 00:00/01-06 01:00", "01-20 00:00/01-20 01:00", "01-13 13:00/01-13 14:00")
	if items[2].Key != "ical:e1@example.com/20260113T000000Z" {
		t.Errorf("override key %s", items[2].Key)
	}
}

// RDATE;VALUE=PERIOD brings its own end, explicit or as a duration.
func TestRDatePeriodEnds(t *testing.T) {
	data := cal(event("DTSTART:20260105T190000Z", "DTEND:20260105T200000Z",
		"RDATE;VALUE=PERIOD:20260301T080000Z/20260301T113000Z,20260302T080000Z/PT4H")...)
	expectRasters(t, expandAll(t, data, year2026), "01-05 19:00/01-05 20:00", "03-01 08:00/03-01 11:30", "03-02 08:00/03-02 12:00")
}

// DURATION in days and weeks is nominal (RFC 5545 3.3.6): P1D from 12:00
// on the day before New York's change ends at 12:00 EDT (23 hours later);
// PT24H stays 24 hours; a series counts from each occurrence's start.
func TestNominalDuration(t *testing.T) {
	expectRasters(t, []adapters.Item{parseOne(t, cal(event("DTSTART;TZID=America/New_York:20260307T120000", "DURATION:P1D")...), ParseOptions{})},
		"03-07 17:00/03-08 16:00")
	expectRasters(t, []adapters.Item{parseOne(t, cal(event("DTSTART;TZID=America/New_York:20260307T120000", "DURATION:PT24H")...), ParseOptions{})},
		"03-07 17:00/03-08 17:00")
	data := cal(event("DTSTART;TZID=America/New_York:20260301T100000", "DURATION:P1W", "RRULE:FREQ=WEEKLY;COUNT=2")...)
	expectRasters(t, expandAll(t, data, year2026), "03-01 15:00/03-08 14:00", "03-08 14:00/03-15 14:00")
}

// RANGE=THISANDFUTURE: the override moves its instance and every later
// one by the same shift, with its length and summary.
func TestThisAndFuture(t *testing.T) {
	data := cal(append(event("DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "SUMMARY:old", "RRULE:FREQ=WEEKLY;COUNT=4"),
		"BEGIN:VEVENT", "UID:e1@example.com", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260112T090000Z",
		"DTSTART:20260112T140000Z", "DTEND:20260112T143000Z", "SUMMARY:new", "END:VEVENT")...)
	items := expandAll(t, data, year2026)
	expectRasters(t, items, "01-05 09:00/01-05 10:00", "01-19 14:00/01-19 14:30", "01-26 14:00/01-26 14:30", "01-12 14:00/01-12 14:30")
	if items[0].Subject != "old" || items[2].Subject != "new" {
		t.Errorf("subjects %q, %q", items[0].Subject, items[2].Subject)
	}
	if items[1].Key != "ical:e1@example.com/20260119T090000Z" {
		t.Errorf("a rescheduled instance keeps its RECURRENCE-ID key, got %s", items[1].Key)
	}
}

// A file-defined zone keeps its own offsets for every occurrence, on both
// sides of each change (the earlier code kept the first offset).
func TestVTimezoneSeriesFollowsChanges(t *testing.T) {
	data := cal(append(berlinVTimezone, event("DTSTART;TZID=Custom Berlin:20260323T090000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=2")...)...)
	expectRasters(t, expandAll(t, data, year2026), "03-23 08:00/03-23 09:00", "03-30 07:00/03-30 08:00")
}

// A floating RECURRENCE-ID on a zoned series names the instance at that
// wall time in the series' zone.
func TestFloatingRecurrenceIDInSeriesZone(t *testing.T) {
	data := cal(append(event("DTSTART;TZID=America/New_York:20260105T190000", "DTEND;TZID=America/New_York:20260105T200000", "RRULE:FREQ=WEEKLY;COUNT=2"),
		"BEGIN:VEVENT", "UID:e1@example.com", "RECURRENCE-ID:20260112T190000",
		"DTSTART;TZID=America/New_York:20260112T080000", "DTEND;TZID=America/New_York:20260112T090000", "END:VEVENT")...)
	items := expandAll(t, data, year2026)
	expectRasters(t, items, "01-06 00:00/01-06 01:00", "01-12 13:00/01-12 14:00")
	if len(items) == 2 && items[1].Key != "ical:e1@example.com/20260113T000000Z" {
		t.Errorf("override key %s", items[1].Key)
	}
}
