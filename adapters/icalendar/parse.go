package icalendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/gwsync/gwsync/adapters"
)

// ParseOptions tunes Parse.
type ParseOptions struct {
	// Location reads floating times (no TZID, no trailing Z) and times
	// whose TZID cannot be resolved: the user's default zone. nil is UTC.
	Location *time.Location
	// Expand turns each recurring master (RRULE/RDATE) into its
	// occurrences inside Window, keyed "ical:UID/<RECURRENCE-ID>", with
	// EXDATEs removed and overridden occurrences left to their override
	// components. Without it a master is imported as its first occurrence,
	// with a warning.
	Expand bool
	// Window bounds the expansion; a zero To expands two years past the
	// start. Occurrences overlapping the window are kept.
	Window adapters.Window
	// MaxOccurrences caps one master's occurrences (DefaultMaxOccurrences
	// when zero); a capped master's occurrences carry a warning.
	MaxOccurrences int
}

// Parse reads a VCALENDAR and returns one item per VEVENT (KindEvent) and
// VTODO (KindTask), in file order.
//
// The error return is for a file that cannot be read at all: empty, not a
// VCALENDAR, a malformed line, a missing END. It names the line ("line 12:
// END:VTODO where END:VEVENT was expected"). A single component that cannot
// be used (a VEVENT without DTSTART or UID, a bad date) does not fail the
// file: it comes back as an item with Unreadable saying why, and Key set
// when its UID is known, so the other components of the file still import.
// What could be read with a guess (an unknown TZID, invalid UTF-8, an
// unexpanded RRULE) is imported with a Warning.
//
// Keys are "ical:<UID>", plus "/<RECURRENCE-ID>" for an override, the
// RECURRENCE-ID in UTC basic format (20270115T080000Z) or as a date
// (20270115) for an all-day override.
func Parse(data []byte, opt ParseOptions) ([]adapters.Item, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	rc, err := parseRaw(data)
	if err != nil {
		return nil, err
	}
	if rc.root.name != "VCALENDAR" {
		return nil, fmt.Errorf("line %d: top-level component is %s, not VCALENDAR", rc.lines[rc.root.begin].num, rc.root.name)
	}
	// The line scanner is the only reader: go-ical's decoder, once run
	// alongside as a cross-check, copies parameter values byte by byte
	// (a 100 KB TZID took seconds), so it no longer sees whole files.
	p := &parser{rc: rc, vtzs: buildVTimezones(rc), floating: opt.Location}
	if p.floating == nil {
		p.floating = time.UTC
	}
	var items []adapters.Item
	seen := map[string]bool{}
	overridden := map[string]bool{}
	if opt.Expand {
		overridden = p.overrideKeys()
	}
	ex := expansion{window: opt.Window, max: opt.MaxOccurrences}
	components := 0
	for _, c := range rc.root.children {
		var kind adapters.Kind
		switch c.name {
		case ical.CompEvent:
			kind = adapters.KindEvent
		case ical.CompToDo:
			kind = adapters.KindTask
		default:
			continue
		}
		components++
		it := p.item(c, kind)
		if opt.Expand && it.Unreadable == "" && p.recurring(c) {
			it.Warnings = dropRecurrenceWarning(it.Warnings)
			for _, occ := range p.expand(c, it, overridden, ex) {
				if seen[occ.Key] && occ.Unreadable == "" {
					continue // an override with this key was emitted already
				}
				seen[occ.Key] = true
				items = append(items, occ)
			}
			continue
		}
		if it.Key != "" && seen[it.Key] && it.Unreadable == "" {
			it.Unreadable = fmt.Sprintf("line %d: %s with the same UID and RECURRENCE-ID as an earlier component (%s)", rc.lines[c.begin].num, c.name, it.Key)
		}
		seen[it.Key] = true
		items = append(items, it)
	}
	if components == 0 {
		return nil, fmt.Errorf("no VEVENT or VTODO in the calendar")
	}
	return items, nil
}

// overrideKeys returns the keys of every component with a RECURRENCE-ID,
// so that expansion leaves those occurrences to them.
func (p *parser) overrideKeys() map[string]bool {
	out := map[string]bool{}
	for _, c := range p.rc.root.children {
		uid, rid := p.rc.prop(c, "UID"), p.rc.prop(c, "RECURRENCE-ID")
		if uid == nil || rid == nil {
			continue
		}
		if dt, err := readDateTime(rid, p.vtzs, p.floating); err == nil {
			out["ical:"+strings.TrimSpace(unescapeText(uid.value))+"/"+ridString(dt)] = true
		}
	}
	return out
}

// dropRecurrenceWarning removes the "not expanded" warning of an item
// that is being expanded.
func dropRecurrenceWarning(ws []string) []string {
	var out []string
	for _, w := range ws {
		if w != recurrenceWarning {
			out = append(out, w)
		}
	}
	return out
}

const recurrenceWarning = "recurrence not expanded: only the first occurrence is imported"

// parser holds what every component of one file needs.
type parser struct {
	rc       *rawCalendar
	vtzs     map[string]*vtimezone
	floating *time.Location
}

// item maps one VEVENT or VTODO. Failures land in Unreadable, never panic.
func (p *parser) item(c *rawComponent, kind adapters.Kind) adapters.Item {
	it := adapters.Item{Kind: kind}
	begin := p.rc.lines[c.begin].num
	uid := p.rc.prop(c, "UID")
	if uid == nil || strings.TrimSpace(uid.value) == "" {
		it.Unreadable = fmt.Sprintf("line %d: %s without UID", begin, c.name)
		return it
	}
	it.Key = "ical:" + strings.TrimSpace(unescapeText(uid.value))
	if rid := p.rc.prop(c, "RECURRENCE-ID"); rid != nil {
		dt, err := readDateTime(rid, p.vtzs, p.floating)
		if err != nil {
			it.Unreadable = err.Error()
			return it
		}
		it.Key += "/" + ridString(dt)
	}
	if err := p.raster(c, &it); err != nil {
		it.Unreadable = err.Error()
		return it
	}
	it.Subject = p.text(c, "SUMMARY", &it)
	it.Body = p.text(c, "DESCRIPTION", &it)
	it.Location = p.text(c, "LOCATION", &it)
	it.ExportedFrom = strings.TrimSpace(p.text(c, "X-GWSYNC-ACTIVITY-ID", &it))
	status := strings.ToUpper(strings.TrimSpace(p.text(c, "STATUS", &it)))
	it.Cancelled = status == "CANCELLED"
	switch strings.ToUpper(strings.TrimSpace(p.text(c, "CLASS", &it))) {
	case "PRIVATE", "CONFIDENTIAL":
		it.Private = true
	}
	if kind == adapters.KindTask {
		it.Completed = status == "COMPLETED" || p.rc.prop(c, "COMPLETED") != nil
	} else {
		it.Busy = busyStatus(p.text(c, "X-MICROSOFT-CDO-BUSYSTATUS", &it), status, p.text(c, "TRANSP", &it))
	}
	p.people(c, &it)
	for _, name := range []string{"LAST-MODIFIED", "DTSTAMP"} {
		if l := p.rc.prop(c, name); l != nil {
			if dt, err := readDateTime(l, p.vtzs, time.UTC); err == nil {
				it.Modified = dt.t
				break
			}
			it.Warnings = append(it.Warnings, fmt.Sprintf("line %d: %s unreadable, ignored", l.num, name))
		}
	}
	if p.rc.prop(c, "RRULE") != nil || p.rc.prop(c, "RDATE") != nil {
		it.Warnings = append(it.Warnings, recurrenceWarning)
	}
	return it
}

// ridString renders a RECURRENCE-ID for a key.
func ridString(dt dateTime) string {
	if dt.isDate {
		return dt.t.Format("20060102")
	}
	return dt.t.UTC().Format("20060102T150405Z")
}

// text returns a TEXT property unescaped and as valid UTF-8 ("" if absent).
func (p *parser) text(c *rawComponent, name string, it *adapters.Item) string {
	l := p.rc.prop(c, name)
	if l == nil {
		return ""
	}
	s, bad := validUTF8(unescapeText(l.value))
	if bad {
		it.Warnings = append(it.Warnings, fmt.Sprintf("line %d: %s has invalid UTF-8, replaced", l.num, name))
	}
	return s
}

// people fills From (ORGANIZER) and Attendees (everyone else, deduplicated).
func (p *parser) people(c *rawComponent, it *adapters.Item) {
	if l := p.rc.prop(c, "ORGANIZER"); l != nil {
		it.From, _ = validUTF8(mailAddress(l.value))
	}
	seen := map[string]bool{it.From: true, "": true}
	for _, i := range c.props {
		l := &p.rc.lines[i]
		if l.name != "ATTENDEE" {
			continue
		}
		a, _ := validUTF8(mailAddress(l.value))
		if !seen[a] {
			seen[a] = true
			it.Attendees = append(it.Attendees, a)
		}
	}
}

// busyStatus maps Outlook's X-MICROSOFT-CDO-BUSYSTATUS first (it is the
// only one that knows OOF and working elsewhere), then STATUS and TRANSP.
func busyStatus(cdo, status, transp string) adapters.BusyStatus {
	switch strings.ToUpper(strings.TrimSpace(cdo)) {
	case "FREE":
		return adapters.BusyFree
	case "TENTATIVE":
		return adapters.BusyTentative
	case "BUSY":
		return adapters.BusyBusy
	case "OOF":
		return adapters.BusyOutOfOffice
	case "WORKINGELSEWHERE":
		return adapters.BusyWorkingElsewhere
	}
	switch {
	case status == "TENTATIVE":
		return adapters.BusyTentative
	case strings.EqualFold(strings.TrimSpace(transp), "TRANSPARENT"):
		return adapters.BusyFree
	}
	return adapters.BusyBusy
}
