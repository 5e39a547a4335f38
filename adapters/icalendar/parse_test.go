package icalendar

import (
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// cal wraps component lines in a VCALENDAR with CRLF endings.
func cal(lines ...string) []byte {
	all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}, lines...)
	all = append(all, "END:VCALENDAR")
	return []byte(strings.Join(all, "\r\n") + "\r\n")
}

func event(props ...string) []string {
	return append(append([]string{"BEGIN:VEVENT", "UID:e1@example.com", "DTSTAMP:20261201T100000Z"}, props...), "END:VEVENT")
}

func parseOne(t *testing.T, data []byte, opt ParseOptions) adapters.Item {
	t.Helper()
	items, err := Parse(data, opt)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(items) != 1 {
		t.Fatalf("got %d items, want 1", len(items))
	}
	return items[0]
}

var berlinVTimezone = []string{
	"BEGIN:VTIMEZONE", "TZID:Custom Berlin",
	"BEGIN:STANDARD", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
	"BEGIN:DAYLIGHT", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
	"END:VTIMEZONE",
}

func TestParseRaster(t *testing.T) {
	newYork, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name    string
		data    []byte
		opt     ParseOptions
		want    adapters.Raster
		warning string // a substring one warning must hold
	}{
		{"utc", cal(event("DTSTART:20270114T090000Z", "DTEND:20270114T100000Z")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-14 09:00"), End: utc("2027-01-14 10:00")}, ""},
		{"windows zone in summer", cal(event(`DTSTART;TZID="W. Europe Standard Time":20270701T090000`, `DTEND;TZID=W. Europe Standard Time:20270701T100000`)...), ParseOptions{},
			adapters.Raster{Start: utc("2027-07-01 07:00"), End: utc("2027-07-01 08:00"), TimeZone: "Europe/Berlin"}, ""},
		{"windows eastern in winter", cal(event("DTSTART;TZID=Eastern Standard Time:20270115T090000", "DTEND;TZID=Eastern Standard Time:20270115T093000")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-15 14:00"), End: utc("2027-01-15 14:30"), TimeZone: "America/New_York"}, ""},
		{"iana", cal(event("DTSTART;TZID=Asia/Tokyo:20270115T090000", "DTEND;TZID=Asia/Tokyo:20270115T100000")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-15 00:00"), End: utc("2027-01-15 01:00"), TimeZone: "Asia/Tokyo"}, ""},
		{"mozilla prefix", cal(event("DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20270115T090000", "DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20270115T100000")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-15 08:00"), End: utc("2027-01-15 09:00"), TimeZone: "Europe/Berlin"}, ""},
		{"vtimezone offsets", cal(append(berlinVTimezone, event("DTSTART;TZID=Custom Berlin:20270701T090000", "DTEND;TZID=Custom Berlin:20270115T090000")...)...), ParseOptions{},
			adapters.Raster{Start: utc("2027-07-01 07:00"), End: utc("2027-01-15 08:00")}, "DTEND is before DTSTART"},
		{"unknown tzid", cal(event("DTSTART;TZID=Atlantis Standard Time:20270115T090000", "DTEND;TZID=Atlantis Standard Time:20270115T100000")...), ParseOptions{Location: newYork},
			adapters.Raster{Start: utc("2027-01-15 14:00"), End: utc("2027-01-15 15:00")}, `unknown TZID "Atlantis Standard Time"`},
		{"floating in user zone", cal(event("DTSTART:20270115T090000", "DTEND:20270115T100000")...), ParseOptions{Location: newYork},
			adapters.Raster{Start: utc("2027-01-15 14:00"), End: utc("2027-01-15 15:00")}, ""},
		{"floating without zone is UTC", cal(event("DTSTART:20270115T090000")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-15 09:00")}, ""},
		{"duration instead of dtend", cal(event("DTSTART:20270115T090000Z", "DURATION:PT1H30M")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-15 09:00"), End: utc("2027-01-15 10:30")}, ""},
		{"all-day", cal(event("DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270312")...), ParseOptions{Location: newYork},
			adapters.Raster{Start: date("2027-03-10"), End: date("2027-03-12"), AllDay: true}, ""},
		{"all-day without dtend lasts a day", cal(event("DTSTART;VALUE=DATE:20270310")...), ParseOptions{},
			adapters.Raster{Start: date("2027-03-10"), End: date("2027-03-11"), AllDay: true}, ""},
		{"all-day by length of value", cal(event("DTSTART:20270310", "DURATION:P2D")...), ParseOptions{},
			adapters.Raster{Start: date("2027-03-10"), End: date("2027-03-12"), AllDay: true}, ""},
		{"recurring master", cal(event("DTSTART:20270105T080000Z", "DTEND:20270105T090000Z", "RRULE:FREQ=WEEKLY;COUNT=10")...), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-05 08:00"), End: utc("2027-01-05 09:00")}, "recurrence not expanded"},
		{"task due", cal("BEGIN:VTODO", "UID:t1", "DUE;TZID=Europe/Berlin:20270115T170000", "END:VTODO"), ParseOptions{},
			adapters.Raster{Due: utc("2027-01-15 16:00"), TimeZone: ""}, ""},
		{"task start and due", cal("BEGIN:VTODO", "UID:t1", "DTSTART:20270110T080000Z", "DUE:20270115T170000Z", "END:VTODO"), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-10 08:00"), Due: utc("2027-01-15 17:00")}, ""},
		{"task start and duration", cal("BEGIN:VTODO", "UID:t1", "DTSTART:20270110T080000Z", "DURATION:P1D", "END:VTODO"), ParseOptions{},
			adapters.Raster{Start: utc("2027-01-10 08:00"), Due: utc("2027-01-11 08:00")}, ""},
		{"task due date", cal("BEGIN:VTODO", "UID:t1", "DUE;VALUE=DATE:20270115", "END:VTODO"), ParseOptions{},
			adapters.Raster{Due: date("2027-01-15"), AllDay: true}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := parseOne(t, tc.data, tc.opt)
			if it.Unreadable != "" {
				t.Fatalf("unreadable: %s", it.Unreadable)
			}
			if !it.Raster.Equal(tc.want) {
				t.Errorf("raster %s, want %s", it.Raster, tc.want)
			}
			if tc.want.TimeZone != "" && it.Raster.TimeZone != tc.want.TimeZone {
				t.Errorf("time zone %q, want %q", it.Raster.TimeZone, tc.want.TimeZone)
			}
			if !hasWarning(it, tc.warning) {
				t.Errorf("warnings %q, want one containing %q", it.Warnings, tc.warning)
			}
			if tc.warning == "" && len(it.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", it.Warnings)
			}
		})
	}
}

func hasWarning(it adapters.Item, sub string) bool {
	if sub == "" {
		return true
	}
	for _, w := range it.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestParseBusy(t *testing.T) {
	cases := []struct {
		props []string
		want  adapters.BusyStatus
	}{
		{nil, adapters.BusyBusy},
		{[]string{"TRANSP:OPAQUE"}, adapters.BusyBusy},
		{[]string{"TRANSP:TRANSPARENT"}, adapters.BusyFree},
		{[]string{"STATUS:TENTATIVE"}, adapters.BusyTentative},
		{[]string{"TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-BUSYSTATUS:FREE"}, adapters.BusyFree},
		{[]string{"TRANSP:OPAQUE", "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE"}, adapters.BusyTentative},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:OOF"}, adapters.BusyOutOfOffice},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE"}, adapters.BusyWorkingElsewhere},
		{[]string{"TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY"}, adapters.BusyBusy},
	}
	for _, tc := range cases {
		it := parseOne(t, cal(event(append([]string{"DTSTART:20270115T090000Z"}, tc.props...)...)...), ParseOptions{})
		if it.Busy != tc.want {
			t.Errorf("%v: busy %q, want %q", tc.props, it.Busy, tc.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	it := parseOne(t, cal(event(
		"DTSTART:20270115T090000Z",
		"SUMMARY:Demo\\, Angebot\\; Preise",
		"DESCRIPTION:Zeile 1\\nZeile 2 mit \\:Doppelpunkt",
		"LOCATION:Raum 4",
		"ORGANIZER;CN=Anna:mailto:Anna.Vertrieb@Example.com",
		"ATTENDEE;CN=Anna:MAILTO:anna.vertrieb@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:kunde@example.org",
		"ATTENDEE:mailto:einkauf@example.org",
		"ATTENDEE:mailto:Kunde@example.org",
		"LAST-MODIFIED:20261205T101010Z",
		"STATUS:CANCELLED",
		"X-GWSYNC-ACTIVITY-ID:act-42",
	)...), ParseOptions{})
	checks := []struct{ got, want any }{
		{it.Key, "ical:e1@example.com"},
		{it.Kind, adapters.KindEvent},
		{it.Subject, "Demo, Angebot; Preise"},
		{it.Body, "Zeile 1\nZeile 2 mit :Doppelpunkt"},
		{it.Location, "Raum 4"},
		{it.From, "anna.vertrieb@example.com"},
		{strings.Join(it.Attendees, " "), "kunde@example.org einkauf@example.org"},
		{it.Modified, utc("2026-12-05 10:10").Add(10 * time.Second)},
		{it.Cancelled, true},
		{it.ExportedFrom, "act-42"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %v, want %v", i, c.got, c.want)
		}
	}
	// DTSTAMP stands in for a missing LAST-MODIFIED.
	it = parseOne(t, cal(event("DTSTART:20270115T090000Z")...), ParseOptions{})
	if !it.Modified.Equal(utc("2026-12-01 10:00")) {
		t.Errorf("modified %v, want the DTSTAMP", it.Modified)
	}
}

func TestParseTasksCompleted(t *testing.T) {
	for _, props := range [][]string{{"STATUS:COMPLETED"}, {"COMPLETED:20270101T100000Z"}} {
		lines := append(append([]string{"BEGIN:VTODO", "UID:t1", "DUE:20270115T170000Z"}, props...), "END:VTODO")
		it := parseOne(t, cal(lines...), ParseOptions{})
		if !it.Completed || it.Kind != adapters.KindTask || it.Busy != "" {
			t.Errorf("%v: completed=%v kind=%s busy=%q", props, it.Completed, it.Kind, it.Busy)
		}
	}
}

func TestParseOverrideKeys(t *testing.T) {
	data := cal(append(event("DTSTART;TZID=Europe/Berlin:20270105T090000", "RRULE:FREQ=WEEKLY"),
		"BEGIN:VEVENT", "UID:e1@example.com", "RECURRENCE-ID;TZID=Europe/Berlin:20270112T090000", "DTSTART;TZID=Europe/Berlin:20270112T110000", "END:VEVENT",
		"BEGIN:VEVENT", "UID:e1@example.com", "RECURRENCE-ID;VALUE=DATE:20270119", "DTSTART;VALUE=DATE:20270119", "END:VEVENT")...)
	items, err := Parse(data, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	want := "ical:e1@example.com ical:e1@example.com/20270112T080000Z ical:e1@example.com/20270119"
	if strings.Join(keys, " ") != want {
		t.Errorf("keys %q, want %q", keys, want)
	}
}

func TestParseBadInput(t *testing.T) {
	cases := []struct {
		name       string
		data       []byte
		err        string // substring of the Parse error; "" means no error
		unreadable string // substring of the item's Unreadable
	}{
		{"empty", nil, "empty file", ""},
		{"blank", []byte("\r\n  \r\n"), "empty file", ""},
		{"not a calendar", []byte("hello world\r\n"), "line 1", ""},
		{"garbage bytes", []byte("\x00\xff\xfeBEGIN\x01:VCAL\r\n\x89PNG\r\n"), "line 2: malformed content line", ""},
		{"no END:VCALENDAR", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n"), "file ends without END:VCALENDAR", ""},
		{"mismatched END", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"), "line 4: END:VTODO where END:VEVENT was expected", ""},
		{"missing colon", cal(event("DTSTART:20270101T100000Z", "SUMMARY no colon")...), "line 8: malformed content line", ""},
		{"unterminated param", cal(event(`DTSTART;TZID="Europe/Berlin:20270101T100000`)...), "line 7: property DTSTART: parameter TZID: unterminated", ""},
		{"param without value colon", cal(event(`DTSTART;TZID=Europe/Berlin`)...), "line 7: property DTSTART", ""},
		{"no components", cal(), "no VEVENT or VTODO", ""},
		{"VEVENT without DTSTART", cal(event("SUMMARY:x")...), "", "line 4: VEVENT without DTSTART"},
		{"bad date", cal(event("DTSTART:2027-01-01T10:00")...), "", "line 7: DTSTART: bad date-time"},
		{"bad duration", cal(event("DTSTART:20270101T100000Z", "DURATION:one hour")...), "", "DURATION: bad value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, err := Parse(tc.data, ParseOptions{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(items) != 1 || !strings.Contains(items[0].Unreadable, tc.unreadable) || tc.unreadable == "" {
				t.Fatalf("items %+v, want one unreadable with %q", items, tc.unreadable)
			}
		})
	}
}

func TestParseInvalidUTF8AndDuplicates(t *testing.T) {
	data := cal(append(event("DTSTART:20270101T100000Z", "SUMMARY:Angebot f\xfcr M\xfcller"), event("DTSTART:20270102T100000Z")...)...)
	items, err := Parse(data, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	if !strings.Contains(items[0].Subject, "Angebot f\uFFFDr") || !hasWarning(items[0], "invalid UTF-8") {
		t.Errorf("subject %q warnings %q", items[0].Subject, items[0].Warnings)
	}
	if !strings.Contains(items[1].Unreadable, "same UID") {
		t.Errorf("duplicate: unreadable %q", items[1].Unreadable)
	}
}

func TestResolveTZID(t *testing.T) {
	for win, iana := range windowsZones {
		if win == "UTC" {
			continue // an IANA name too: LoadLocation answers first
		}
		loc, ok := ResolveTZID(win)
		if !ok || loc.String() != iana {
			t.Errorf("%q resolved to %v, %v; want %s", win, loc, ok, iana)
		}
	}
	for in, want := range map[string]string{
		"Europe/Berlin": "Europe/Berlin", `"Europe/Berlin"`: "Europe/Berlin",
		"/mozilla.org/20050126_1/America/Argentina/Buenos_Aires": "America/Argentina/Buenos_Aires",
		"/freeassociation.sourceforge.net/Tzfile/Europe/Vienna":  "Europe/Vienna",
		"/citadel.org/20190914_1/Asia/Tokyo":                     "Asia/Tokyo",
	} {
		if loc, ok := ResolveTZID(in); !ok || loc.String() != want {
			t.Errorf("%q resolved to %v, %v; want %s", in, loc, ok, want)
		}
	}
	for _, bad := range []string{"", "Local", "Atlantis Standard Time", "/nowhere/Nothing", "../../etc/passwd"} {
		if loc, ok := ResolveTZID(bad); ok {
			t.Errorf("%q resolved to %v, want no zone", bad, loc)
		}
	}
}

func TestVTimezoneDSTBoundaries(t *testing.T) {
	rc, err := parseRaw(cal(berlinVTimezone...))
	if err != nil {
		t.Fatal(err)
	}
	z := zoneFor("Custom Berlin", buildVTimezones(rc))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, s := range []string{"2027-03-28 00:59", "2027-03-28 01:00", "2027-10-30 23:59", "2027-10-31 02:00", "2027-06-15 12:00", "2026-12-24 18:00"} {
		instant := utc(s)
		want := naive(instant.In(berlin))
		if got := z.wall(instant); !got.Equal(want) {
			t.Errorf("wall(%s) = %v, want %v", s, got, want)
		}
		if back := z.instant(want); !back.Equal(instant) {
			t.Errorf("instant(%v) = %v, want %v", want, back, instant)
		}
	}
}
