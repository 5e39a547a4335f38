package icalendar

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// Real producers' small sins are accepted with a warning naming the quirk
// (item 4 of issue 17); what gwsync writes stays strict.
func TestLiberalRRule(t *testing.T) {
	for _, c := range []struct{ rule, warning string }{
		{"freq=weekly;byday=mo;count=3", "lower-case names or values"},
		{"FREQ=WEEKLY;BYDAY=MO;COUNT=3;", "trailing ';'"},
		{"FREQ=WEEKLY;X-NAME=FOO;BYDAY=MO;COUNT=3", "extension part X-NAME ignored"},
		{"FREQ=WEEKLY;INTERVAL=0;BYDAY=MO;COUNT=3", "INTERVAL=0 read as 1"},
	} {
		t.Run(c.rule, func(t *testing.T) {
			items := expandAll(t, cal(event("DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:"+c.rule)...), year2026)
			expectRasters(t, items, "01-05 09:00/01-05 10:00", "01-12 09:00/01-12 10:00", "01-19 09:00/01-19 10:00")
			for _, it := range items {
				if it.Unreadable != "" || !hasWarning(it, c.warning) {
					t.Errorf("%s: unreadable %q, warnings %q, want a warning with %q", it.Key, it.Unreadable, it.Warnings, c.warning)
				}
			}
		})
	}
	// An unknown part that is no extension stays an error naming the line.
	items := expandAll(t, cal(event("DTSTART:20260105T090000Z", "RRULE:FREQ=WEEKLY;BYFOO=1")...), year2026)
	if len(items) != 1 || !strings.Contains(items[0].Unreadable, "line 8: invalid RRULE") {
		t.Errorf("got %+v", items)
	}
}

// Several VCALENDARs in one file (a concatenated export): each is read,
// with their own VTIMEZONEs, and the file is flagged once.
func TestConcatenatedCalendars(t *testing.T) {
	first := string(cal(event("DTSTART:20260105T090000Z", "DURATION:PT1H")...))
	second := strings.Replace(string(cal(append(berlinVTimezone, event("DTSTART;TZID=Custom Berlin:20260706T090000", "DURATION:PT1H")...)...)), "UID:e1@example.com", "UID:e2@example.com", 1)
	items, err := Parse([]byte(first+second), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectRasters(t, items, "01-05 09:00/01-05 10:00", "07-06 07:00/07-06 08:00")
	if !hasWarning(items[0], "2 VCALENDAR objects") || len(items[1].Warnings) != 0 {
		t.Errorf("warnings %q / %q", items[0].Warnings, items[1].Warnings)
	}
	// Text other than a VCALENDAR after the end is still refused.
	if _, err := Parse([]byte(first+"BEGIN:VEVENT\r\nEND:VEVENT\r\n"), ParseOptions{}); err == nil || !strings.Contains(err.Error(), "text after END:VCALENDAR") {
		t.Errorf("error %v", err)
	}
}

// A VEVENT without UID gets a key made from its content: the same for the
// same component whatever its times (a write-back keeps it), different for
// different components, and numbered for identical ones.
func TestMissingUIDGetsStableSyntheticKey(t *testing.T) {
	noUID := func(start, summary string) []string {
		return []string{"BEGIN:VEVENT", "DTSTAMP:20261201T100000Z", "DTSTART:" + start, "DURATION:PT1H", "SUMMARY:" + summary, "END:VEVENT"}
	}
	parse := func(lines ...[]string) []adapters.Item {
		var all []string
		for _, l := range lines {
			all = append(all, l...)
		}
		items, err := Parse(cal(all...), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	a := parse(noUID("20260105T090000Z", "Lunch"), noUID("20260106T090000Z", "Dinner"), noUID("20260107T090000Z", "Lunch"))
	moved := parse(noUID("20260105T150000Z", "Lunch"), noUID("20260106T090000Z", "Dinner"), noUID("20260107T090000Z", "Lunch"))
	for i := range a {
		if a[i].Unreadable != "" || !strings.HasPrefix(a[i].Key, "ical:synth-") || !hasWarning(a[i], "without UID") {
			t.Fatalf("item %d: %+v", i, a[i])
		}
		if a[i].Key != moved[i].Key {
			t.Errorf("item %d: key changed with its time: %s → %s", i, a[i].Key, moved[i].Key)
		}
	}
	if a[0].Key == a[1].Key || a[2].Key != a[0].Key+"-2" {
		t.Errorf("keys %s %s %s", a[0].Key, a[1].Key, a[2].Key)
	}
	// PatchTimes finds the component by that key.
	data := cal(noUID("20260105T090000Z", "Lunch")...)
	out, err := PatchTimes(data, a[0].Key, adapters.Raster{Start: utc("2026-01-05 11:00"), End: utc("2026-01-05 12:00")})
	if err != nil || !strings.Contains(string(out), "DTSTART:20260105T110000Z") {
		t.Errorf("PatchTimes: %v\n%s", err, out)
	}
}

// A negative DURATION is read as its length, with a warning.
func TestNegativeDuration(t *testing.T) {
	it := parseOne(t, cal(event("DTSTART:20260105T090000Z", "DURATION:-PT1H30M")...), ParseOptions{})
	expectRasters(t, []adapters.Item{it}, "01-05 09:00/01-05 10:30")
	if !hasWarning(it, "negative DURATION") {
		t.Errorf("warnings %q", it.Warnings)
	}
}
