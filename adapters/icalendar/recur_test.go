package icalendar

import (
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

var year2027 = adapters.Window{From: utc("2027-01-01 00:00"), To: utc("2028-01-01 00:00")}

func keysOf(items []adapters.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

func expandAll(t *testing.T, data []byte, w adapters.Window) []adapters.Item {
	t.Helper()
	items, err := Parse(data, ParseOptions{Expand: true, Window: w})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return items
}

// A weekly series in Berlin time with a comma-separated EXDATE, an RDATE
// and one moved occurrence: DST keeps 09:00 local, the EXDATEs vanish, the
// override replaces its occurrence, the RDATE adds one.
func TestExpandSeries(t *testing.T) {
	data := cal(append(event(
		"DTSTART;TZID=W. Europe Standard Time:20270302T090000",
		"DTEND;TZID=W. Europe Standard Time:20270302T100000",
		"SUMMARY:Standup",
		"RRULE:FREQ=WEEKLY;COUNT=6",
		"EXDATE;TZID=W. Europe Standard Time:20270309T090000,20270316T090000",
		"RDATE;TZID=W. Europe Standard Time:20270401T150000",
	), []string{"BEGIN:VEVENT", "UID:e1@example.com", "DTSTAMP:20261201T100000Z",
		"RECURRENCE-ID;TZID=W. Europe Standard Time:20270330T090000",
		"DTSTART;TZID=W. Europe Standard Time:20270330T110000",
		"DTEND;TZID=W. Europe Standard Time:20270330T120000", "SUMMARY:Standup (moved)", "END:VEVENT"}...)...)
	items := expandAll(t, data, year2027)
	want := map[string]adapters.Raster{
		"ical:e1@example.com/20270302T080000Z": {Start: utc("2027-03-02 08:00"), End: utc("2027-03-02 09:00")},
		"ical:e1@example.com/20270323T080000Z": {Start: utc("2027-03-23 08:00"), End: utc("2027-03-23 09:00")},
		// After the DST change (2027-03-28) 09:00 Berlin is 07:00Z.
		"ical:e1@example.com/20270330T070000Z": {Start: utc("2027-03-30 09:00"), End: utc("2027-03-30 10:00")}, // the override
		"ical:e1@example.com/20270406T070000Z": {Start: utc("2027-04-06 07:00"), End: utc("2027-04-06 08:00")},
		"ical:e1@example.com/20270401T130000Z": {Start: utc("2027-04-01 13:00"), End: utc("2027-04-01 14:00")}, // RDATE
	}
	if len(items) != len(want) {
		t.Fatalf("got keys %v, want %d items", keysOf(items), len(want))
	}
	for _, it := range items {
		w, ok := want[it.Key]
		if !ok {
			t.Errorf("unexpected key %s", it.Key)
			continue
		}
		if !it.Raster.Equal(w) {
			t.Errorf("%s: raster %v, want %v", it.Key, it.Raster, w)
		}
		if it.Unreadable != "" || hasWarning(it, "not expanded") {
			t.Errorf("%s: unreadable %q warnings %v", it.Key, it.Unreadable, it.Warnings)
		}
	}
}

func TestExpandWindowAndAllDay(t *testing.T) {
	data := cal(event("DTSTART;VALUE=DATE:20261228", "DTEND;VALUE=DATE:20261229", "RRULE:FREQ=DAILY;COUNT=7", "EXDATE;VALUE=DATE:20270102")...)
	items := expandAll(t, data, year2027)
	got := keysOf(items)
	want := []string{"ical:e1@example.com/20270101", "ical:e1@example.com/20270103"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("keys %v, want %v", got, want)
	}
	if r := items[0].Raster; !r.AllDay || !r.Start.Equal(date("2027-01-01")) || !r.End.Equal(date("2027-01-02")) {
		t.Errorf("all-day occurrence raster %v", r)
	}
}

func TestExpandAbsurdRuleIsCapped(t *testing.T) {
	data := cal(event("DTSTART:20270105T080000Z", "DTEND:20270105T080001Z", "RRULE:FREQ=SECONDLY")...)
	start := time.Now()
	items, err := Parse(data, ParseOptions{Expand: true, Window: year2027, MaxOccurrences: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 50 {
		t.Fatalf("got %d occurrences, want the cap of 50", len(items))
	}
	if !hasWarning(items[0], "recurrence capped") {
		t.Errorf("no cap warning: %v", items[0].Warnings)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("capped expansion took %v", d)
	}
}

func TestExpandInvalidRRuleIsUnreadable(t *testing.T) {
	items := expandAll(t, cal(event("DTSTART:20270105T080000Z", "RRULE:FREQ=FORTNIGHTLY")...), year2027)
	if len(items) != 1 || !strings.Contains(items[0].Unreadable, "invalid RRULE") || items[0].Key != "ical:e1@example.com" {
		t.Fatalf("items = %+v, want one unreadable master", items)
	}
}

// Moving one occurrence writes an override: the series keeps its rule and
// times, and the expansion shows only that occurrence moved.
func TestPatchOccurrenceWritesOverride(t *testing.T) {
	data := cal(event("DTSTART;TZID=Europe/Berlin:20270105T090000", "DTEND;TZID=Europe/Berlin:20270105T100000",
		"RRULE:FREQ=WEEKLY;COUNT=3", "SEQUENCE:2", "SUMMARY:Weekly", "X-KEEP:me")...)
	key := "ical:e1@example.com/20270112T080000Z"
	moved := adapters.Raster{Start: utc("2027-01-12 13:00"), End: utc("2027-01-12 14:00")}
	out, err := PatchTimes(data, key, moved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), string(data[:len(data)-len("END:VCALENDAR\r\n")])) {
		t.Errorf("the master changed:\n%s", out)
	}
	if !strings.Contains(string(out), "RECURRENCE-ID;TZID=Europe/Berlin:20270112T090000\r\n") || !strings.Contains(string(out), "SEQUENCE:3") {
		t.Errorf("override lacks RECURRENCE-ID or bumped SEQUENCE:\n%s", out)
	}
	items := expandAll(t, out, year2027)
	if len(items) != 3 {
		t.Fatalf("keys %v, want 3", keysOf(items))
	}
	for _, it := range items {
		switch it.Key {
		case key:
			if !it.Raster.Equal(moved) || it.Subject != "Weekly" {
				t.Errorf("override %v %q", it.Raster, it.Subject)
			}
		default:
			if it.Raster.Start.UTC().Hour() != 8 {
				t.Errorf("%s moved to %v", it.Key, it.Raster)
			}
		}
	}
	if _, err := PatchTimes(data, "ical:e1@example.com/20270113T080000Z", moved); adapters.CodeOf(err) != adapters.CodeNotFound {
		t.Errorf("patching a non-occurrence: %v, want NotFound", err)
	}
}
