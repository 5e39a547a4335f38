package caldav

import (
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Outlook writes TZIDs that no zone database knows, each with its own
// VTIMEZONE: "Customized Time Zone" and display names such as
// "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna". A weekly
// 09:00 series in such a zone, PUT to the real Radicale, must come back
// from the CalDAV source at 09:00 Central European time in winter (08:00Z)
// and in summer (07:00Z), every week of the year (issue 17, item 1).
func TestRadicaleCustomizedTimeZone(t *testing.T) {
	sv := radicale(t)
	cal := sv.newCollection(t, "VEVENT")
	vtimezone := func(tzid string) string {
		return strings.Join([]string{"BEGIN:VTIMEZONE", "TZID:" + strings.ReplaceAll(tzid, ",", `\,`),
			"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
			"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
			"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE"}, "\r\n")
	}
	series := func(uid, tzid string) []byte {
		param := "TZID=" + tzid
		if strings.ContainsAny(tzid, ",:;") {
			param = `TZID="` + tzid + `"`
		}
		return vcal(vtimezone(tzid), "BEGIN:VEVENT", "UID:"+uid, "DTSTAMP:20251201T000000Z",
			"DTSTART;"+param+":20260105T090000", "DTEND;"+param+":20260105T093000",
			"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=52", "SUMMARY:Weekly "+uid, "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "END:VEVENT")
	}
	sv.put(t, cal+"customized.ics", series("customized@t", "Customized Time Zone"))
	sv.put(t, cal+"display.ics", series("display@t", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"))

	s, _ := newSource(t, opts(t, sv.options(map[string]any{"calendars": []string{cal}, "task_lists": []string{}})))
	items, _ := collect(t, s, adapters.SnapshotRequest{Window: adapters.Window{
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}})

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"customized@t", "display@t"} {
		got := map[string]adapters.Item{}
		for _, it := range items {
			if strings.HasPrefix(it.Key, "ical:"+uid+"/") {
				got[it.Key] = it
			}
		}
		if len(got) != 52 {
			t.Errorf("%s: %d occurrences, want 52", uid, len(got))
		}
		winter, summer := 0, 0
		for i := 0; i < 52; i++ {
			start := time.Date(2026, 1, 5+7*i, 9, 0, 0, 0, berlin).UTC()
			key := "ical:" + uid + "/" + start.Format("20060102T150405Z")
			it, ok := got[key]
			if !ok {
				t.Errorf("%s missing (09:00 Berlin on %s)", key, start.In(berlin).Format("2006-01-02"))
				continue
			}
			if !it.Raster.Start.Equal(start) || !it.Raster.End.Equal(start.Add(30*time.Minute)) || len(it.Warnings) != 0 || it.Unreadable != "" {
				t.Errorf("%s: raster %v warnings %q unreadable %q, want start %s", key, it.Raster, it.Warnings, it.Unreadable, start)
			}
			if start.Hour() == 8 {
				winter++
			} else {
				summer++
			}
		}
		// Both halves of the year are checked: the old bug shifted one.
		if winter == 0 || summer == 0 || winter+summer != 52 {
			t.Errorf("%s: %d winter and %d summer occurrences", uid, winter, summer)
		}
		if jan, jul := got["ical:"+uid+"/20260105T080000Z"], got["ical:"+uid+"/20260706T070000Z"]; jan.Key == "" || jul.Key == "" {
			t.Errorf("%s: 5 January at 08:00Z or 6 July at 07:00Z missing", uid)
		}
	}
}
