package icalendar

import (
	"bytes"
	"fmt"
	"sort"
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
	p.uids, p.synthetic = componentUIDs(rc)
	if p.floating == nil {
		p.floating = time.UTC
	}
	var items []adapters.Item
	seen := map[string]bool{}
	var ov overrides
	if opt.Expand {
		ov = p.overrideKeys()
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
			for _, occ := range p.expand(c, it, ov, ex) {
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
	if n := len(rc.extraCalendars); n > 0 && len(items) > 0 {
		items[0].Warnings = append(items[0].Warnings, fmt.Sprintf("line %d: the file holds %d VCALENDAR objects (a concatenated export); each is read", rc.extraCalendars[0], n+1))
	}
	return items, nil
}

// overrides is what a file's override components (those with a
// RECURRENCE-ID) tell the expansion of their masters.
type overrides struct {
	// keys of every override: expansion leaves those occurrences to them.
	keys map[string]bool
	// future holds, per master key ("ical:UID"), the RANGE=THISANDFUTURE
	// overrides sorted by RECURRENCE-ID.
	future map[string][]futureOverride
}

// futureOverride is a RANGE=THISANDFUTURE override (RFC 5545 3.8.4.4): the
// instances after rid are rescheduled by the same shift as rid was, take
// its length, and its summary, location and description.
type futureOverride struct {
	rid   time.Time
	shift time.Duration
	it    adapters.Item
}

// futureFor returns the THISANDFUTURE override in force at an instance
// starting at s: the latest whose RECURRENCE-ID is before s.
func (o overrides) futureFor(masterKey string, s time.Time) (futureOverride, bool) {
	var best futureOverride
	found := false
	for _, f := range o.future[masterKey] {
		if f.rid.Before(s) {
			best, found = f, true
		}
	}
	return best, found
}

// apply reschedules an occurrence by the override's shift and length.
func (f futureOverride) apply(occ *adapters.Item) {
	r := &occ.Raster
	length, hasEnd := f.it.Raster.End.Sub(f.it.Raster.Start), !f.it.Raster.End.IsZero()
	r.Start = r.Start.Add(f.shift)
	if hasEnd && !r.Start.IsZero() {
		r.End = r.Start.Add(length)
	} else if !r.End.IsZero() {
		r.End = r.End.Add(f.shift)
	}
	if !r.Due.IsZero() {
		r.Due = r.Due.Add(f.shift)
	}
	occ.Subject, occ.Location, occ.Body = f.it.Subject, f.it.Location, f.it.Body
}

// overrideKeys collects every component with a RECURRENCE-ID, so that
// expansion leaves those occurrences to them.
func (p *parser) overrideKeys() overrides {
	out := overrides{keys: map[string]bool{}, future: map[string][]futureOverride{}}
	for _, c := range p.rc.root.children {
		uid, rid := p.uids[c], p.rc.prop(c, "RECURRENCE-ID")
		if uid == "" || rid == nil {
			continue
		}
		dt, err := p.recurrenceID(c, rid)
		if err != nil {
			continue
		}
		master := "ical:" + uid
		out.keys[master+"/"+ridString(dt)] = true
		if strings.EqualFold(rid.paramValue("RANGE"), "THISANDFUTURE") {
			kind := adapters.KindEvent
			if c.name == ical.CompToDo {
				kind = adapters.KindTask
			}
			it := p.item(c, kind)
			if it.Unreadable != "" || it.Raster.Start.IsZero() {
				continue
			}
			out.future[master] = append(out.future[master], futureOverride{rid: dt.t, shift: it.Raster.Start.Sub(dt.t), it: it})
		}
	}
	for k, fs := range out.future {
		sort.Slice(fs, func(i, j int) bool { return fs[i].rid.Before(fs[j].rid) })
		out.future[k] = fs
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
	rc        *rawCalendar
	vtzs      map[string]*vtimezone
	floating  *time.Location
	uids      map[*rawComponent]string // componentUIDs
	synthetic map[*rawComponent]bool
	masters   map[string]*rawComponent // by UID, built by masterOf
}

// item maps one VEVENT or VTODO. Failures land in Unreadable, never panic.
func (p *parser) item(c *rawComponent, kind adapters.Kind) adapters.Item {
	it := adapters.Item{Kind: kind}
	begin := p.rc.lines[c.begin].num
	it.Key = "ical:" + p.uids[c]
	if p.synthetic[c] {
		// Liberal: some exporters omit UID. The key is made from the
		// content (componentUIDs), so the same component keeps it.
		it.Warnings = append(it.Warnings, fmt.Sprintf("line %d: %s without UID: keyed %s, made from its content", begin, c.name, it.Key))
	}
	if rid := p.rc.prop(c, "RECURRENCE-ID"); rid != nil {
		dt, err := p.recurrenceID(c, rid)
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

// recurrenceID reads an override's RECURRENCE-ID. A floating value on a
// series whose DTSTART has a zone is read in that zone (as floating EXDATEs
// are), so it names the instance the series has at that wall time.
func (p *parser) recurrenceID(c *rawComponent, rid *contentLine) (dateTime, error) {
	if w, ok := floatingWall(rid); ok {
		if m := p.masterOf(c); m != nil {
			if start := p.rc.prop(m, "DTSTART"); start != nil && !isDateValue(start) {
				return dateTime{t: p.ruleClock(start, false).instant(w).UTC()}, nil
			}
		}
	}
	return readDateTime(rid, p.vtzs, p.floating)
}

// masterOf returns the master (the first component without RECURRENCE-ID)
// with the override's UID, or nil. The index is built once per file, so a
// file of many overrides costs linear time.
func (p *parser) masterOf(c *rawComponent) *rawComponent {
	if p.masters == nil {
		p.masters = map[string]*rawComponent{}
		for _, m := range p.rc.root.children {
			if uid, ok := p.uids[m]; ok && p.rc.prop(m, "RECURRENCE-ID") == nil && p.masters[uid] == nil {
				p.masters[uid] = m
			}
		}
	}
	return p.masters[p.uids[c]]
}
