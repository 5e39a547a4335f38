package icalendar

import (
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// addOverride returns data with a new override component for the
// occurrence key ("ical:UID/<RECURRENCE-ID>") of a recurring master, placed
// right after the master: a copy of the master's properties without
// RRULE, RDATE and EXDATE, plus a RECURRENCE-ID written like the master's
// DTSTART. PatchTimes then sets its times, so the series stays where it
// is and only that occurrence moves.
//
// Errors: NotFound when the key names no occurrence of a master in data
// (no such UID, not recurring, or the rule does not produce that instant).
func addOverride(data []byte, rc *rawCalendar, vtzs map[string]*vtimezone, key string) ([]byte, error) {
	notFound := adapters.Errorf(adapters.CodeNotFound, "no VEVENT or VTODO with key %s", key)
	base, rid, ok := strings.Cut(key, "/")
	if !ok {
		return nil, notFound
	}
	master := findComponent(rc, vtzs, base)
	if master == nil || !hasRecurrence(rc, master) {
		return nil, notFound
	}
	if rc.prop(master, "UID") == nil {
		// An override is tied to its master by UID; a made-up one
		// (componentUIDs) would have to be written into both first.
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "%s: a recurring component without UID: its occurrences cannot be moved one by one", key)
	}
	occ, ok := occurrenceStart(data, key, rid)
	if !ok {
		return nil, notFound
	}
	startLine := rc.prop(master, "DTSTART")
	ridLine := "RECURRENCE-ID" + formatLike(startLine, vtzs, occ)
	var b strings.Builder
	eol := rc.lines[master.begin].eol
	if eol == "" {
		eol = "\r\n"
	}
	b.Write(data[rc.lines[master.begin].start:rc.lines[master.begin].end])
	for _, i := range master.props {
		l := rc.lines[i]
		switch l.name {
		case "RRULE", "RDATE", "EXDATE", "EXRULE":
			continue
		}
		b.Write(data[l.start:l.end])
		if l.name == "UID" {
			b.WriteString(fold(ridLine, eol))
		}
	}
	for _, child := range master.children { // VALARMs
		b.Write(data[rc.lines[child.begin].start:rc.lines[child.end].end])
	}
	endLine := rc.lines[master.end]
	b.WriteString(strings.TrimRight(string(data[endLine.start:endLine.end]), "\r\n") + eol)
	out := make([]byte, 0, len(data)+b.Len())
	out = append(out, data[:endLine.end]...)
	if endLine.eol == "" {
		out = append(out, eol...)
	}
	out = append(out, b.String()...)
	return append(out, data[endLine.end:]...), nil
}

func hasRecurrence(rc *rawCalendar, c *rawComponent) bool {
	return rc.prop(c, "RRULE") != nil || rc.prop(c, "RDATE") != nil
}

// occurrenceStart expands the series around the RECURRENCE-ID and reports
// the occurrence's original start when the series has it.
func occurrenceStart(data []byte, key, rid string) (time.Time, bool) {
	var at time.Time
	var err error
	if len(rid) == 8 {
		at, err = time.Parse("20060102", rid)
	} else {
		at, err = time.Parse("20060102T150405Z", rid)
	}
	if err != nil {
		return time.Time{}, false
	}
	items, err := Parse(data, ParseOptions{Expand: true, Window: adapters.Window{From: at.Add(-time.Second), To: at.Add(time.Second)}})
	if err != nil {
		return time.Time{}, false
	}
	for _, it := range items {
		if it.Key == key && it.Unreadable == "" {
			return at, true
		}
	}
	return time.Time{}, false
}

// formatLike renders ";params:value" for instant t the way DTSTART line l
// is written: a DATE, a local time in its TZID, or UTC.
func formatLike(l *contentLine, vtzs map[string]*vtimezone, t time.Time) string {
	if isDateValue(l) {
		return ";VALUE=DATE:" + t.UTC().Format("20060102")
	}
	if tzid := l.paramValue("TZID"); tzid != "" {
		if z := zoneFor(tzid, vtzs); z != nil {
			for _, p := range l.params {
				if p.name == "TZID" {
					return p.raw + ":" + z.wall(t).Format("20060102T150405")
				}
			}
		}
	}
	if !strings.HasSuffix(strings.ToUpper(strings.TrimSpace(l.value)), "Z") && l.paramValue("TZID") == "" {
		// Floating: RECURRENCE-ID must be floating too. The instant was
		// read in UTC by occurrenceStart's Parse, so UTC fields are right.
		return ":" + t.UTC().Format("20060102T150405")
	}
	return ":" + t.UTC().Format("20060102T150405Z")
}
