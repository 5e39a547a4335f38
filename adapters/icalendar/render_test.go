package icalendar

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

func TestRenderExport(t *testing.T) {
	now := utc("2026-12-01 10:00")
	a := adapters.Activity{
		ID: "act-17", Type: adapters.TypeMeeting,
		Subject: "Quartalsgespräch, Fabrikam; Preise",
		Body:    strings.Repeat("Angebot über 12 Lizenzen für das Vertriebsteam. ", 6) + "\nZweite Zeile",
		Raster:  adapters.Raster{Start: utc("2027-01-20 09:00"), End: utc("2027-01-20 10:00")},
	}
	out := RenderExport(a, now)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "UID:gwsync-act-17@gwsync\r\n", "DTSTAMP:20261201T100000Z\r\n",
		"DTSTART:20270120T090000Z\r\n", "DTEND:20270120T100000Z\r\n", "TRANSP:OPAQUE\r\n",
		"X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n", "X-GWSYNC-ACTIVITY-ID:act-17\r\n",
		`SUMMARY:Quartalsgespräch\, Fabrikam\; Preise`, "END:VCALENDAR\r\n",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a line ends in a bare LF")
	}
	for _, line := range bytes.Split(out, []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
	}
	it := parseOne(t, out, ParseOptions{})
	if it.Key != "ical:gwsync-act-17@gwsync" || it.ExportedFrom != "act-17" || it.Busy != adapters.BusyBusy ||
		it.Subject != a.Subject || it.Body != a.Body || !it.Raster.Equal(a.Raster) {
		t.Errorf("read back %+v", it)
	}
}

func TestRenderExportAllDay(t *testing.T) {
	a := adapters.Activity{ID: "7", Type: adapters.TypeAppointment, Subject: "Messe",
		Raster: adapters.Raster{Start: date("2027-03-10"), AllDay: true}}
	out := RenderExport(a, utc("2026-12-01 10:00"))
	if !bytes.Contains(out, []byte("DTSTART;VALUE=DATE:20270310\r\nDTEND;VALUE=DATE:20270311\r\n")) {
		t.Errorf("all-day dates missing:\n%s", out)
	}
}

func TestRenderItemRoundTrip(t *testing.T) {
	items := []adapters.Item{
		{Key: "ical:m1@example.com", Kind: adapters.KindEvent, Subject: "Meeting", From: "a@example.com",
			Attendees: []string{"b@example.org", "c@example.org"}, Busy: adapters.BusyTentative,
			Raster: adapters.Raster{Start: utc("2027-01-05 08:00"), End: utc("2027-01-05 09:00")}},
		{Key: "ical:m1@example.com/20270112T080000Z", Kind: adapters.KindEvent, Busy: adapters.BusyFree,
			Raster: adapters.Raster{Start: utc("2027-01-12 10:00"), End: utc("2027-01-12 11:00")}},
		{Key: "ical:t1", Kind: adapters.KindTask, Subject: "Angebot", Completed: true,
			Raster: adapters.Raster{Start: utc("2027-01-05 08:00"), Due: utc("2027-01-06 17:00")}},
		{Key: "ical:o1", Kind: adapters.KindEvent, Busy: adapters.BusyOutOfOffice, Cancelled: true,
			Raster: adapters.Raster{Start: date("2027-02-01"), End: date("2027-02-03"), AllDay: true}},
	}
	for _, want := range items {
		got := parseOne(t, RenderItem(want, utc("2026-12-01 10:00")), ParseOptions{})
		if got.Key != want.Key || got.Kind != want.Kind || got.Subject != want.Subject || got.From != want.From ||
			strings.Join(got.Attendees, ",") != strings.Join(want.Attendees, ",") || got.Completed != want.Completed ||
			got.Cancelled != want.Cancelled || !got.Raster.Equal(want.Raster) ||
			(want.Kind == adapters.KindEvent && got.Busy != want.Busy) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", want.Key, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	line := "DESCRIPTION:" + strings.Repeat("ä", 100)
	out := fold(line, "\r\n")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("folded line of %d octets", len(l))
		}
	}
	lines, err := splitLines([]byte(out))
	if err != nil || len(lines) != 1 || lines[0].text != line {
		t.Errorf("unfold gave %+v, %v", lines, err)
	}
}
