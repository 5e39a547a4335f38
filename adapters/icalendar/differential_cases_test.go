package icalendar

import (
	"fmt"
	"strings"
	"time"
)

// The generated cases of the differential test (differential_test.go).
// Every case is built from named parts, never from random draws, so a case
// id names the same calendar in every run and the accepted-differences
// table can refer to it.

// diffCase is one calendar to expand on both sides.
type diffCase struct {
	id  string
	ics string
}

// diffWindow is the window both sides expand over.
var diffWindow = struct{ from, to time.Time }{
	time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC),
}

// diffZone is how a case writes its local times: the TZID parameter (""
// for floating or UTC), the VTIMEZONE block it needs, and whether times are
// written in UTC.
type diffZone struct {
	name   string // short, for case ids
	tzid   string
	vtz    []string
	utc    bool
	gapDay string // a spring-forward day (YYYYMMDD) with a gap at 02:00-03:00
	foldAt string // a local time (YYYYMMDDTHHMMSS) that occurs twice
}

// Zones: IANA zones in both hemispheres and west and east of UTC (Python
// knows them from pytz), and three zones only a VTIMEZONE defines, as
// Outlook writes them (its 1601 rules) and as a hand-made file does.
var diffZones = []diffZone{
	{name: "utc", utc: true},
	{name: "floating"},
	{name: "newyork", tzid: "America/New_York", gapDay: "20260308", foldAt: "20261101T013000"},
	{name: "berlin", tzid: "Europe/Berlin", gapDay: "20260329", foldAt: "20261025T023000"},
	{name: "sydney", tzid: "Australia/Sydney", gapDay: "20261004", foldAt: "20260405T023000"},
	{name: "outlook", tzid: "Customized Time Zone", gapDay: "20260329", foldAt: "20261025T023000", vtz: []string{
		"BEGIN:VTIMEZONE", "TZID:Customized Time Zone",
		"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
		"END:VTIMEZONE"}},
	{name: "canberra", tzid: "(UTC+10:00) Canberra, Melbourne, Sydney", gapDay: "20261004", foldAt: "20260405T023000", vtz: []string{
		"BEGIN:VTIMEZONE", `TZID:(UTC+10:00) Canberra\, Melbourne\, Sydney`,
		"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+1100", "TZOFFSETTO:+1000",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=4", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+1000", "TZOFFSETTO:+1100",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=10", "END:DAYLIGHT",
		"END:VTIMEZONE"}},
	{name: "berlinlokal", tzid: "Berlin-Lokal", gapDay: "20260329", foldAt: "20261025T023000", vtz: []string{
		"BEGIN:VTIMEZONE", "TZID:Berlin-Lokal",
		"BEGIN:DAYLIGHT", "DTSTART:19810329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
		"TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:MESZ", "END:DAYLIGHT",
		"BEGIN:STANDARD", "DTSTART:19961027T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
		"TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:MEZ", "END:STANDARD",
		"END:VTIMEZONE"}},
}

// prop writes a date-time property in the zone: "NAME;TZID=…:value",
// "NAME:valueZ" or floating "NAME:value".
func (z diffZone) prop(name, local string) string {
	switch {
	case z.utc:
		return name + ":" + local + "Z"
	case z.tzid == "":
		return name + ":" + local
	}
	if strings.ContainsAny(z.tzid, ",:;") {
		return name + `;TZID="` + z.tzid + `":` + local // RFC 5545 3.2: quoted
	}
	return name + ";TZID=" + z.tzid + ":" + local
}

// calendar wraps VEVENT lines (several events allowed) with the zone's
// VTIMEZONE in a VCALENDAR.
func (z diffZone) calendar(events ...[]string) string {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gwsync//differential//EN"}
	lines = append(lines, z.vtz...)
	for _, e := range events {
		lines = append(lines, e...)
	}
	lines = append(lines, "END:VCALENDAR")
	return strings.Join(lines, "\r\n") + "\r\n"
}

// vevent is one VEVENT with a UID and DTSTAMP around props.
func vevent(uid string, props ...string) []string {
	out := []string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20251201T000000Z", "SUMMARY:" + uid}
	out = append(out, props...)
	return append(out, "END:VEVENT")
}

// rulePatterns are RRULEs run in every zone, each with its DTSTART (local)
// and its length. Together they use every RRULE part of RFC 5545 3.3.10.
var rulePatterns = []struct {
	name, start, rule string
	length            string // DTEND offset as a Go duration, "" for none
}{
	{"daily-count", "20260105T090000", "FREQ=DAILY;COUNT=10", "1h"},
	{"daily-interval-until", "20260105T090000", "FREQ=DAILY;INTERVAL=3;UNTIL=20260401T000000Z", "30m"},
	{"weekly-open", "20260105T090000", "FREQ=WEEKLY", "1h"},
	{"weekly-byday-interval", "20260105T090000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;UNTIL=20261231T235959Z", "1h"},
	{"weekly-wkst-su", "20260106T100000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=12", "1h"},
	{"weekly-wkst-mo", "20260106T100000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=12", "1h"},
	{"weekly-since-2020", "20200302T090000", "FREQ=WEEKLY;BYDAY=MO", "1h"},
	{"monthly-last-friday", "20260130T140000", "FREQ=MONTHLY;BYDAY=-1FR", "1h"},
	{"monthly-1st-3rd-monday", "20260105T080000", "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=15", "45m"},
	{"monthly-monthday-neg", "20260115T120000", "FREQ=MONTHLY;BYMONTHDAY=15,-1", "1h"},
	{"monthly-31st", "20260131T090000", "FREQ=MONTHLY;BYMONTHDAY=31", "1h"},
	{"monthly-setpos-last-workday", "20260130T170000", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "1h"},
	{"monthly-setpos-first-second", "20260101T090000", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,2;COUNT=10", "1h"},
	{"monthly-interval-3", "20260110T110000", "FREQ=MONTHLY;INTERVAL=3;COUNT=6", "2h"},
	{"yearly-bymonth-byday", "20260329T120000", "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", "1h"},
	{"yearly-byweekno", "20260105T090000", "FREQ=YEARLY;BYWEEKNO=1,20,-1;BYDAY=MO", "1h"},
	{"yearly-byyearday", "20260101T090000", "FREQ=YEARLY;BYYEARDAY=1,100,-1", "1h"},
	{"yearly-plain", "20250615T180000", "FREQ=YEARLY", "3h"},
	{"daily-byhour-byminute", "20260105T090000", "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;COUNT=20", "15m"},
	{"hourly-interval", "20260105T070000", "FREQ=HOURLY;INTERVAL=5;COUNT=30", "30m"},
	{"minutely-interval", "20260105T090000", "FREQ=MINUTELY;INTERVAL=90;COUNT=20", "10m"},
	{"secondly-bysecond", "20260105T090000", "FREQ=MINUTELY;BYSECOND=0,30;COUNT=6", "10s"},
	{"secondly", "20260105T090000", "FREQ=SECONDLY;INTERVAL=3600;COUNT=5", "1m"},
	{"daily-bymonth", "20260105T090000", "FREQ=DAILY;BYMONTH=2;BYDAY=SA,SU", "1h"},
	{"weekly-no-end", "20260107T233000", "FREQ=WEEKLY;BYDAY=WE", "1h"},
}

// generateDiffCases returns every case: rule patterns in every zone, then
// RDATE/EXDATE forms, overrides, DST edges, all-day and DURATION cases.
func generateDiffCases() []diffCase {
	var out []diffCase
	add := func(id, ics string) { out = append(out, diffCase{id: id, ics: ics}) }
	for _, z := range diffZones {
		for _, p := range rulePatterns {
			props := []string{z.prop("DTSTART", p.start), "RRULE:" + utcUntilFor(z, p.rule)}
			if p.length != "" {
				props = append(props, z.prop("DTEND", addLocal(p.start, p.length)))
			}
			add("rule/"+p.name+"/"+z.name, z.calendar(vevent("r-"+p.name, props...)))
		}
		seriesForms(z, add)
		if z.gapDay != "" {
			dstEdges(z, add)
		}
	}
	allDayCases(add)
	durationCases(add)
	return out
}

// utcUntilFor keeps UNTIL legal: RFC 5545 3.3.10 wants UNTIL in UTC when
// DTSTART has a TZID or is UTC, and floating when DTSTART is floating.
func utcUntilFor(z diffZone, rule string) string {
	if z.tzid == "" && !z.utc {
		return strings.ReplaceAll(strings.ReplaceAll(rule, "T000000Z", "T000000"), "T235959Z", "T235959")
	}
	return rule
}

// addLocal adds a Go duration to a local "YYYYMMDDTHHMMSS" time.
func addLocal(local, d string) string {
	t, err := time.Parse("20060102T150405", local)
	if err != nil {
		panic(err)
	}
	dur, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return t.Add(dur).Format("20060102T150405")
}

// seriesForms: RDATE and EXDATE in every form (same zone, comma lists,
// several lines, UTC, floating, DATE, PERIOD), overrides (moved, in UTC,
// unmatched, THISANDFUTURE), COUNT with EXDATE.
func seriesForms(z diffZone, add func(id, ics string)) {
	base := []string{z.prop("DTSTART", "20260105T190000"), z.prop("DTEND", "20260105T200000")}
	weekly := append(append([]string(nil), base...), "RRULE:FREQ=WEEKLY;COUNT=20")
	with := func(extra ...string) []string { return append(append([]string(nil), weekly...), extra...) }
	n := z.name
	add("exdate/dtstart/"+n, z.calendar(vevent("x1", with(z.prop("EXDATE", "20260105T190000"))...)))
	add("exdate/list/"+n, z.calendar(vevent("x2", with(z.prop("EXDATE", "20260112T190000,20260126T190000"))...)))
	add("exdate/lines/"+n, z.calendar(vevent("x3", with(z.prop("EXDATE", "20260112T190000"), z.prop("EXDATE", "20260309T190000"))...)))
	add("exdate/notinstance/"+n, z.calendar(vevent("x4", with(z.prop("EXDATE", "20260112T180000"))...)))
	add("rdate/same-zone/"+n, z.calendar(vevent("d1", with(z.prop("RDATE", "20260301T080000"))...)))
	add("rdate/list/"+n, z.calendar(vevent("d2", with(z.prop("RDATE", "20260301T080000,20260415T210000"))...)))
	add("rdate/utc/"+n, z.calendar(vevent("d3", with("RDATE:20260301T080000Z")...)))
	add("exdate/utc-of-instance/"+n, z.calendar(vevent("x5", with("EXDATE:"+utcOf(z, "20260119T190000"))...)))
	if z.tzid != "" {
		// Floating EXDATE/RDATE on a TZID series: read in the series' zone.
		add("exdate/floating-on-tzid/"+n, z.calendar(vevent("x6", with("EXDATE:20260119T190000")...)))
		add("rdate/floating-on-tzid/"+n, z.calendar(vevent("d4", with("RDATE:20260301T080000")...)))
		add("rdate/other-zone/"+n, z.calendar(vevent("d5", with("RDATE;TZID=Asia/Tokyo:20260301T080000")...)))
	}
	add("rdate/period/"+n, z.calendar(vevent("d6", with("RDATE;VALUE=PERIOD:20260301T080000Z/20260301T113000Z")...)))
	add("rdate/period-duration/"+n, z.calendar(vevent("d7", with("RDATE;VALUE=PERIOD:20260301T080000Z/PT4H")...)))
	add("rdate/only/"+n, z.calendar(vevent("d8", append(append([]string(nil), base...), z.prop("RDATE", "20260110T100000,20260220T100000"))...)))

	moved := func(uid, rid string, extra ...string) []string {
		return append([]string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20251201T000000Z", "SUMMARY:moved", rid,
			z.prop("DTSTART", "20260121T080000"), z.prop("DTEND", "20260121T093000")}, append(extra, "END:VEVENT")...)
	}
	add("override/moved/"+n, z.calendar(vevent("o1", weekly...), moved("o1", z.prop("RECURRENCE-ID", "20260119T190000"))))
	add("override/moved-first/"+n, z.calendar(vevent("o2", weekly...), moved("o2", z.prop("RECURRENCE-ID", "20260105T190000"))))
	add("override/rid-utc/"+n, z.calendar(vevent("o3", weekly...), moved("o3", "RECURRENCE-ID:"+utcOf(z, "20260119T190000"))))
	add("override/unmatched-other-day/"+n, z.calendar(vevent("o4", weekly...), moved("o4", z.prop("RECURRENCE-ID", "20260120T190000"))))
	add("override/unmatched-same-day/"+n, z.calendar(vevent("o5", weekly...), moved("o5", z.prop("RECURRENCE-ID", "20260119T170000"))))
	add("override/before-master/"+n, z.calendar(moved("o6", z.prop("RECURRENCE-ID", "20260119T190000")), vevent("o6", weekly...)))
	add("override/thisandfuture/"+n, z.calendar(vevent("o7", weekly...), moved("o7", z.prop("RECURRENCE-ID;RANGE=THISANDFUTURE", "20260119T190000"))))
	add("count/with-exdate/"+n, z.calendar(vevent("c1", append(append([]string(nil), base...), "RRULE:FREQ=DAILY;COUNT=5", z.prop("EXDATE", "20260107T190000"))...)))
}

// utcOf is the UTC form of a local time in the zone, for cases that write
// an instance in UTC. It fails loudly for a VTIMEZONE-only zone it cannot
// know: those cases use the zone's known rules (Central European or
// Australian Eastern).
func utcOf(z diffZone, local string) string {
	t, err := time.Parse("20060102T150405", local)
	if err != nil {
		panic(err)
	}
	name := map[string]string{"newyork": "America/New_York", "berlin": "Europe/Berlin", "sydney": "Australia/Sydney",
		"outlook": "Europe/Berlin", "canberra": "Australia/Sydney", "berlinlokal": "Europe/Berlin"}[z.name]
	loc := time.UTC
	if name != "" {
		loc, err = time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc).UTC().Format("20060102T150405") + "Z"
}

// dstEdges: local times in the spring-forward gap and in the autumn fold
// (RFC 5545 3.3.5), alone and inherited by series, and events ending in
// the gap.
func dstEdges(z diffZone, add func(id, ics string)) {
	n := z.name
	gap := z.gapDay + "T023000"
	add("dst/gap-single/"+n, z.calendar(vevent("g1", z.prop("DTSTART", gap), z.prop("DTEND", z.gapDay+"T040000"))))
	add("dst/fold-single/"+n, z.calendar(vevent("g2", z.prop("DTSTART", z.foldAt), z.prop("DTEND", addLocal(z.foldAt, "2h")))))
	add("dst/end-in-gap/"+n, z.calendar(vevent("g3", z.prop("DTSTART", z.gapDay+"T013000"), z.prop("DTEND", gap))))
	// A monthly series at 02:30 on the gap day's weekday position.
	gd, _ := time.Parse("20060102", z.gapDay)
	pos := (gd.Day()-1)/7 + 1
	byday := fmt.Sprintf("%d%s", pos, strings.ToUpper(gd.Weekday().String()[:2]))
	if gd.AddDate(0, 0, 7).Month() != gd.Month() {
		byday = "-1" + strings.ToUpper(gd.Weekday().String()[:2])
	}
	first := gd.AddDate(0, -2, 0)
	add("dst/monthly-0230/"+n, z.calendar(vevent("g4", z.prop("DTSTART", first.Format("20060102")+"T023000"),
		"RRULE:FREQ=MONTHLY;BYDAY="+byday+";COUNT=14", "DURATION:PT1H")))
	add("dst/monthly-monthday-0230/"+n, z.calendar(vevent("g5", z.prop("DTSTART", gd.AddDate(0, -1, 0).Format("20060102")+"T023000"),
		fmt.Sprintf("RRULE:FREQ=MONTHLY;BYMONTHDAY=%d;COUNT=12", gd.Day()), "DURATION:PT30M")))
	add("dst/daily-across-gap/"+n, z.calendar(vevent("g6", z.prop("DTSTART", gd.AddDate(0, 0, -3).Format("20060102")+"T023000"),
		"RRULE:FREQ=DAILY;COUNT=7", "DURATION:PT1H")))
	fold, _ := time.Parse("20060102T150405", z.foldAt)
	add("dst/daily-across-fold/"+n, z.calendar(vevent("g7", z.prop("DTSTART", fold.AddDate(0, 0, -3).Format("20060102T150405")),
		"RRULE:FREQ=DAILY;COUNT=7", "DURATION:PT1H")))
	add("dst/weekly-across-gap-0900/"+n, z.calendar(vevent("g8", z.prop("DTSTART", gd.AddDate(0, 0, -14).Format("20060102")+"T090000"),
		"RRULE:FREQ=WEEKLY;COUNT=5", z.prop("DTEND", gd.AddDate(0, 0, -14).Format("20060102")+"T100000"))))
	add("dst/hourly-across-gap/"+n, z.calendar(vevent("g9", z.prop("DTSTART", gd.AddDate(0, 0, -1).Format("20060102")+"T230000"),
		"RRULE:FREQ=HOURLY;COUNT=6", "DURATION:PT30M")))
	add("dst/duration-day-across-gap/"+n, z.calendar(vevent("g10", z.prop("DTSTART", gd.AddDate(0, 0, -1).Format("20060102")+"T120000"),
		"DURATION:P1D")))
	add("dst/duration-hours-across-gap/"+n, z.calendar(vevent("g11", z.prop("DTSTART", gd.AddDate(0, 0, -1).Format("20060102")+"T120000"),
		"DURATION:PT24H")))
	add("dst/duration-week-across-gap/"+n, z.calendar(vevent("g12", z.prop("DTSTART", gd.AddDate(0, 0, -3).Format("20060102")+"T120000"),
		"DURATION:P1W")))
}

// allDayCases: DATE series, with and without DTEND, EXDATE/RDATE as DATE,
// an override of an all-day occurrence, a leap-day birthday.
func allDayCases(add func(id, ics string)) {
	z := diffZone{name: "allday"}
	d := func(name, v string) string { return name + ";VALUE=DATE:" + v }
	add("allday/single-no-dtend", z.calendar(vevent("a1", d("DTSTART", "20260310"))))
	add("allday/single-3-days", z.calendar(vevent("a2", d("DTSTART", "20260310"), d("DTEND", "20260313"))))
	add("allday/weekly-dtend", z.calendar(vevent("a3", d("DTSTART", "20260105"), d("DTEND", "20260106"), "RRULE:FREQ=WEEKLY;COUNT=30")))
	add("allday/weekly-no-dtend", z.calendar(vevent("a4", d("DTSTART", "20260105"), "RRULE:FREQ=WEEKLY;COUNT=10")))
	add("allday/yearly-birthday", z.calendar(vevent("a5", d("DTSTART", "19800704"), d("DTEND", "19800705"), "RRULE:FREQ=YEARLY")))
	add("allday/leapday", z.calendar(vevent("a6", d("DTSTART", "20240229"), d("DTEND", "20240301"), "RRULE:FREQ=YEARLY")))
	add("allday/exdate-date", z.calendar(vevent("a7", d("DTSTART", "20260105"), d("DTEND", "20260106"), "RRULE:FREQ=DAILY;COUNT=10", d("EXDATE", "20260107,20260109"))))
	add("allday/rdate-date", z.calendar(vevent("a8", d("DTSTART", "20260105"), d("DTEND", "20260106"), "RRULE:FREQ=MONTHLY;COUNT=3", d("RDATE", "20260220"))))
	add("allday/until-date", z.calendar(vevent("a9", d("DTSTART", "20260105"), d("DTEND", "20260106"), "RRULE:FREQ=WEEKLY;UNTIL=20260302")))
	add("allday/override", z.calendar(vevent("a10", d("DTSTART", "20260105"), d("DTEND", "20260106"), "RRULE:FREQ=WEEKLY;COUNT=5"),
		[]string{"BEGIN:VEVENT", "UID:a10", "DTSTAMP:20251201T000000Z", d("RECURRENCE-ID", "20260112"), d("DTSTART", "20260114"), d("DTEND", "20260116"), "END:VEVENT"}))
	add("allday/duration-p1d", z.calendar(vevent("a11", d("DTSTART", "20260105"), "DURATION:P1D", "RRULE:FREQ=WEEKLY;COUNT=4")))
	add("allday/duration-p2w", z.calendar(vevent("a12", d("DTSTART", "20260105"), "DURATION:P2W")))
	add("allday/monthly-last-day", z.calendar(vevent("a13", d("DTSTART", "20260131"), d("DTEND", "20260201"), "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=12")))
	add("allday/yearly-nth-weekday", z.calendar(vevent("a14", d("DTSTART", "20261126"), d("DTEND", "20261127"), "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH")))
}

// durationCases: DURATION forms on single events and series, in a DST zone.
func durationCases(add func(id, ics string)) {
	for _, z := range diffZones {
		if z.name != "newyork" && z.name != "berlin" && z.name != "outlook" && z.name != "floating" {
			continue
		}
		for _, dur := range []string{"PT45M", "PT1H30M", "PT36H", "P1D", "P2DT3H", "P1W", "PT0S", "+PT2H", "P1DT0H0M1S"} {
			add("duration/"+strings.TrimPrefix(dur, "+")+"/"+z.name, z.calendar(vevent("u-"+dur,
				z.prop("DTSTART", "20260301T100000"), "DURATION:"+dur, "RRULE:FREQ=WEEKLY;COUNT=8")))
		}
	}
}
