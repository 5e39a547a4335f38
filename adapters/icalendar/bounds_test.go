package icalendar

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// hangGuard is how long one bounded parse may take before a test calls it
// hung: the cases below used to run for minutes or forever.
const hangGuard = 10 * time.Second

// parseWithin runs Parse and fails the test when it does not end within
// hangGuard, without waiting for a hung call.
func parseWithin(t *testing.T, data []byte, opt ParseOptions) []adapters.Item {
	t.Helper()
	type result struct {
		items []adapters.Item
		err   error
	}
	done := make(chan result, 1)
	go func() {
		items, err := Parse(data, opt)
		done <- result{items, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Parse: %v", r.err)
		}
		return r.items
	case <-time.After(hangGuard):
		t.Fatalf("Parse still running after %s", hangGuard)
	}
	return nil
}

// neighbourEvent is a valid event that must import next to a hostile one.
var neighbourEvent = []string{"BEGIN:VEVENT", "UID:neighbour@example.com", "DTSTAMP:20261201T100000Z",
	"DTSTART:20270316T090000Z", "DTEND:20270316T100000Z", "SUMMARY:Neighbour", "END:VEVENT"}

func findKey(items []adapters.Item, key string) *adapters.Item {
	for i := range items {
		if items[i].Key == key {
			return &items[i]
		}
	}
	return nil
}

// Rules that can never match looped forever in the rule library: its
// sub-daily search for the next hour or second never ends. Expansion now
// stops after a bounded number of steps and says so, naming the UID; the
// neighbour imports.
func TestExpandNeverMatchingRuleStops(t *testing.T) {
	for _, rule := range []string{
		"RRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=1",
		"RRULE:FREQ=SECONDLY;INTERVAL=2;BYSECOND=1",
		"RRULE:FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1",
		"RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
	} {
		t.Run(rule, func(t *testing.T) {
			// DTSTART in the window: it is an occurrence, the rule adds none.
			items := parseWithin(t, cal(append(event("DTSTART:20270105T000000Z", "DTEND:20270105T010000Z", rule), neighbourEvent...)...),
				ParseOptions{Expand: true, Window: year2027})
			if findKey(items, "ical:neighbour@example.com") == nil {
				t.Errorf("the neighbour is missing: %v", keysOf(items))
			}
			first := findKey(items, "ical:e1@example.com/20270105T000000Z")
			if first == nil || first.Unreadable != "" {
				t.Fatalf("DTSTART's occurrence is missing: %+v", items)
			}
			if strings.Contains(rule, "BYMONTHDAY=30") {
				return // the day search ends at year 9999 within the budget
			}
			if !hasWarning(*first, "recurrence stopped: UID e1@example.com") {
				t.Errorf("no warning naming the UID: %v", first.Warnings)
			}

			// DTSTART before the window: nothing sensible to import.
			items = parseWithin(t, cal(append(event("DTSTART:20200105T000000Z", rule), neighbourEvent...)...),
				ParseOptions{Expand: true, Window: year2027})
			if findKey(items, "ical:neighbour@example.com") == nil {
				t.Errorf("the neighbour is missing: %v", keysOf(items))
			}
			master := findKey(items, "ical:e1@example.com")
			if master == nil || !strings.Contains(master.Unreadable, "UID e1@example.com") {
				t.Errorf("want the master unreadable naming its UID: %+v", items)
			}
		})
	}
}

// Absurd but valid rules are cheap: capped at the occurrence limit, or
// stopped by the step budget.
func TestExpandAbsurdRulesAreCheap(t *testing.T) {
	all := func(n int) string {
		var s []string
		for i := 0; i < n; i++ {
			s = append(s, itoa(i))
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		rule string
		want string // "N" occurrences, or "stopped" (unreadable master)
	}{
		{"RRULE:FREQ=DAILY;COUNT=1000000000", "366"}, // the window includes its end
		{"RRULE:FREQ=SECONDLY;UNTIL=99991231T235959Z", "1000"},
		{"RRULE:FREQ=SECONDLY;COUNT=1000000000;BYMONTH=12", "stopped"}, // COUNT counts from 2020
		{"RRULE:FREQ=YEARLY;BYHOUR=" + all(24) + ";BYMINUTE=" + all(60) + ";BYSECOND=" + all(60), "1000"},
		{"RRULE:FREQ=MONTHLY;BYSETPOS=" + all(300)[2:] + ";BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=" + all(24), "1000"},
		{"RRULE:FREQ=DAILY;BYHOUR=" + strings.Repeat("1,", 2000) + "1", "365"},
		{"RRULE:FREQ=YEARLY;INTERVAL=1000000000", "0"},
	} {
		t.Run(clip(c.rule), func(t *testing.T) {
			start := time.Now()
			items := parseWithin(t, cal(event("DTSTART:20200105T000000Z", c.rule)...), ParseOptions{Expand: true, Window: year2027})
			got := strconv.Itoa(len(items))
			if len(items) == 1 && strings.Contains(items[0].Unreadable, "stopped after") {
				got = "stopped"
			}
			if got != c.want {
				t.Errorf("got %s, want %s: %+v", got, c.want, items[0])
			}
			t.Logf("%s in %s", got, time.Since(start))
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// A VTIMEZONE rule of FREQ=SECONDLY from 1601 never finished; its
// expansion is now bounded and the reader warns.
func TestVTimezoneSecondlyRuleIsBounded(t *testing.T) {
	vtz := []string{"BEGIN:VTIMEZONE", "TZID:Every Second",
		"BEGIN:STANDARD", "DTSTART:16010101T000000", "RRULE:FREQ=SECONDLY", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:16010101T000001", "RRULE:FREQ=SECONDLY;INTERVAL=2", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
		"END:VTIMEZONE"}
	data := cal(append(append(vtz, event("DTSTART;TZID=Every Second:20270105T090000", "DTEND;TZID=Every Second:20270105T100000",
		"RRULE:FREQ=DAILY;COUNT=30")...), neighbourEvent...)...)
	items := parseWithin(t, data, ParseOptions{Expand: true, Window: year2027})
	if findKey(items, "ical:neighbour@example.com") == nil {
		t.Errorf("the neighbour is missing: %v", keysOf(items))
	}
	if len(items) < 2 {
		t.Fatalf("items %v", keysOf(items))
	}
	items = parseWithin(t, data, ParseOptions{})
	if it := findKey(items, "ical:e1@example.com"); it == nil || it.Unreadable != "" {
		t.Errorf("the event is missing or unreadable: %+v", items)
	}
}

// A 100 KB TZID took 7 to 23 s; it names no zone and is read as floating
// time with a short warning.
func TestHugeTZIDIsRefusedQuickly(t *testing.T) {
	tzid := strings.Repeat("Europe/Berlin", 100<<10/13)
	data := cal(append([]string{"BEGIN:VTIMEZONE", "TZID:" + tzid, "BEGIN:STANDARD", "DTSTART:19700101T000000",
		"TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE"},
		event("DTSTART;TZID="+tzid+":20270105T090000", "DTEND;TZID="+tzid+":20270105T100000")...)...)
	items := parseWithin(t, data, ParseOptions{Location: time.UTC})
	it := items[0]
	if it.Unreadable != "" || !it.Raster.Start.Equal(utc("2027-01-05 09:00")) {
		t.Errorf("item %+v", it)
	}
	if !hasWarning(it, "TZID longer than 256 bytes") {
		t.Errorf("warnings %v", it.Warnings)
	}
	for _, w := range it.Warnings {
		if len(w) > 300 {
			t.Errorf("a warning of %d bytes", len(w))
		}
	}
}

// Outlook's "Customized Time Zone" with Berlin's rules from 1601: the
// rules used to be expanded from 1601 and stop 292 years later, so the
// zone never left 1893's DST period, and a series kept its first
// occurrence's offset. A weekly 09:00 series lands at 08:00Z in winter
// and 07:00Z in summer (issue 17, item 1).
func TestCustomizedTimeZoneSeries(t *testing.T) {
	vtz := []string{"BEGIN:VTIMEZONE", "TZID:Customized Time Zone",
		"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
		"END:VTIMEZONE"}
	data := cal(append(vtz, event("DTSTART;TZID=Customized Time Zone:20270104T090000", "DTEND;TZID=Customized Time Zone:20270104T100000",
		"RRULE:FREQ=WEEKLY;BYDAY=MO")...)...)
	items := expandAll(t, data, year2027)
	if len(items) != 52 {
		t.Fatalf("%d occurrences, want 52", len(items))
	}
	summer := 0
	for _, it := range items {
		s := it.Raster.Start.UTC()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		want := 8
		if _, off := s.In(berlin).Zone(); off == 7200 {
			want, summer = 7, summer+1
		}
		if s.Hour() != want || s.Minute() != 0 || it.Raster.End.Sub(s) != time.Hour {
			t.Errorf("%s starts %v, want %02d:00Z", it.Key, s, want)
		}
	}
	if summer != 31 {
		t.Errorf("%d summer occurrences, want 31", summer)
	}
	one := parseOne(t, cal(append(vtz, event("DTSTART;TZID=Customized Time Zone:20270705T090000")...)...), ParseOptions{})
	if !one.Raster.Start.Equal(utc("2027-07-05 07:00")) {
		t.Errorf("a summer event starts %v, want 07:00Z", one.Raster.Start)
	}
}
