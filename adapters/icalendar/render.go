package icalendar

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gwsync/gwsync/adapters"
)

// ExportUID is the UID RenderExport gives the event of a CRM activity.
func ExportUID(activityID string) string { return "gwsync-" + activityID + "@gwsync" }

// RenderExport writes a complete VCALENDAR holding one VEVENT for a CRM
// activity, with gwsync's export busy status (Busy: TRANSP:OPAQUE and
// X-MICROSOFT-CDO-BUSYSTATUS:BUSY) and the activity id in
// X-GWSYNC-ACTIVITY-ID, so a later run recognises its own export. Times are
// UTC, or DATE values for all-day; an all-day activity without an end lasts
// one day. Lines end in CRLF and are folded at 75 octets (RFC 5545 3.1).
func RenderExport(a adapters.Activity, now time.Time) []byte {
	it := adapters.Item{
		Key: "ical:" + ExportUID(a.ID), Kind: adapters.KindEvent, Raster: a.Raster,
		Busy: adapters.ExportBusyStatus, Subject: a.Subject, Body: a.Body,
		Location: a.Location, ExportedFrom: a.ID,
	}
	return RenderItem(it, now)
}

// RenderItem writes a complete VCALENDAR for one event or task item: the
// inverse of Parse for what Parse reads (a task becomes a VTODO, anything
// else a VEVENT). The UID is the Key without "ical:" (a "/RECURRENCE-ID"
// suffix becomes a RECURRENCE-ID property). Tests and fixtures use it to
// write calendars that Parse must read back to the same item.
func RenderItem(it adapters.Item, now time.Time) []byte {
	var b strings.Builder
	w := func(line string) { b.WriteString(fold(line, "\r\n")) }
	comp := "VEVENT"
	if it.Kind == adapters.KindTask {
		comp = "VTODO"
	}
	uid, rid, _ := strings.Cut(strings.TrimPrefix(it.Key, "ical:"), "/")
	w("BEGIN:VCALENDAR")
	w("VERSION:2.0")
	w("PRODID:-//gwsync//gwsync//EN")
	w("BEGIN:" + comp)
	w("UID:" + escapeText(uid))
	w("DTSTAMP:" + now.UTC().Format("20060102T150405Z"))
	if rid != "" {
		if len(rid) == 8 {
			w("RECURRENCE-ID;VALUE=DATE:" + rid)
		} else {
			w("RECURRENCE-ID:" + rid)
		}
	}
	r := it.Raster
	end := r.End
	if comp == "VEVENT" && r.AllDay && end.IsZero() && !r.Start.IsZero() {
		end = r.Start.AddDate(0, 0, 1)
	}
	timeProp(w, "DTSTART", r.Start, r.AllDay)
	if comp == "VTODO" {
		timeProp(w, "DUE", r.Due, r.AllDay)
	} else {
		timeProp(w, "DTEND", end, r.AllDay)
	}
	if it.Subject != "" {
		w("SUMMARY:" + escapeText(it.Subject))
	}
	if it.Body != "" {
		w("DESCRIPTION:" + escapeText(it.Body))
	}
	if it.Location != "" {
		w("LOCATION:" + escapeText(it.Location))
	}
	if it.From != "" {
		w("ORGANIZER:mailto:" + it.From)
	}
	for _, a := range it.Attendees {
		w("ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:" + a)
	}
	if !it.Modified.IsZero() {
		w("LAST-MODIFIED:" + it.Modified.UTC().Format("20060102T150405Z"))
	}
	switch {
	case it.Cancelled:
		w("STATUS:CANCELLED")
	case it.Completed && comp == "VTODO":
		w("STATUS:COMPLETED")
	case it.Busy == adapters.BusyTentative:
		w("STATUS:TENTATIVE")
	}
	if comp == "VEVENT" {
		if it.Busy == adapters.BusyFree {
			w("TRANSP:TRANSPARENT")
		} else {
			w("TRANSP:OPAQUE")
		}
		if cdo := cdoStatus[it.Busy]; cdo != "" {
			w("X-MICROSOFT-CDO-BUSYSTATUS:" + cdo)
		}
	}
	if it.ExportedFrom != "" {
		w("X-GWSYNC-ACTIVITY-ID:" + escapeText(it.ExportedFrom))
	}
	w("END:" + comp)
	w("END:VCALENDAR")
	return []byte(b.String())
}

var cdoStatus = map[adapters.BusyStatus]string{
	adapters.BusyFree: "FREE", adapters.BusyTentative: "TENTATIVE", adapters.BusyBusy: "BUSY",
	adapters.BusyOutOfOffice: "OOF", adapters.BusyWorkingElsewhere: "WORKINGELSEWHERE",
}

// timeProp writes a UTC date-time or a DATE; a zero time writes nothing.
func timeProp(w func(string), name string, t time.Time, allDay bool) {
	switch {
	case t.IsZero():
	case allDay:
		w(name + ";VALUE=DATE:" + t.UTC().Format("20060102"))
	default:
		w(name + ":" + t.UTC().Format("20060102T150405Z"))
	}
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold splits a content line into physical lines of at most 75 octets,
// never inside a UTF-8 sequence, each ended by eol; continuation lines
// start with a space (RFC 5545 3.1).
func fold(line, eol string) string {
	const limit = 75
	if len(line) <= limit {
		return line + eol
	}
	var b strings.Builder
	width := limit
	for len(line) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // no rune start at all (invalid UTF-8): cut anywhere
			cut = width
		}
		b.WriteString(line[:cut])
		b.WriteString(eol)
		b.WriteByte(' ')
		line = line[cut:]
		width = limit - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString(eol)
	return b.String()
}
