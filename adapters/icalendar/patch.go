package icalendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// PatchTimes sets the raster of the VEVENT or VTODO with that key (as Parse
// makes keys) and returns the new text. It works on the raw text and
// rewrites only DTSTART, DTEND, DUE and DURATION of that component (plus
// SEQUENCE, which it bumps when present): every other byte, including line
// endings, folding, property order, X- properties and VTIMEZONE, stays as
// it was, because a groupware client may keep data there that no parser
// round-trips.
//
// A time that had a resolvable TZID keeps it and is written as local time
// in that zone; anything else is written in UTC. All-day rasters are
// written as DATE values. Writing DTEND drops DURATION (RFC 5545 allows
// only one of them); an End or Due of zero removes that property.
//
// Errors: NotFound when no component has the key; InvalidItem when the
// text cannot be read, the raster does not fit the component (a VEVENT
// needs a start), or the patched text does not read back as r.
func PatchTimes(data []byte, key string, r adapters.Raster) ([]byte, error) {
	rc, err := parseRaw(data)
	if err != nil {
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "cannot patch: %v", err)
	}
	vtzs := buildVTimezones(rc)
	c := findComponent(rc, vtzs, key)
	if c == nil {
		// An occurrence of a series gets an override of its own.
		withOverride, err := addOverride(data, rc, vtzs, key)
		if err != nil {
			return nil, err
		}
		return PatchTimes(withOverride, key, r)
	}
	if c.name == "VEVENT" && r.Start.IsZero() {
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "%s: a VEVENT needs a start time", key)
	}
	pt := &patcher{rc: rc, vtzs: vtzs, c: c, r: r, edits: map[int]*edit{}}
	pt.plan()
	out := pt.apply(data)
	if err := verifyPatch(out, key, r); err != nil {
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "%s: patched text does not read back: %v", key, err)
	}
	return out, nil
}

// findComponent returns the VEVENT or VTODO whose key is key, or nil.
func findComponent(rc *rawCalendar, vtzs map[string]*vtimezone, key string) *rawComponent {
	uids, _ := componentUIDs(rc)
	for _, c := range rc.root.children {
		uid, ok := uids[c]
		if !ok {
			continue
		}
		k := "ical:" + uid
		if rid := rc.prop(c, "RECURRENCE-ID"); rid != nil {
			dt, err := readDateTime(rid, vtzs, time.UTC)
			if err != nil {
				continue
			}
			k += "/" + ridString(dt)
		}
		if k == key {
			return c
		}
	}
	return nil
}

// edit is what happens to one line: replaced (or deleted when replace is
// "" and del is set), and lines inserted after it.
type edit struct {
	replace string
	del     bool
	after   []string
}

type patcher struct {
	rc    *rawCalendar
	vtzs  map[string]*vtimezone
	c     *rawComponent
	r     adapters.Raster
	edits map[int]*edit
}

func (pt *patcher) editAt(i int) *edit {
	e, ok := pt.edits[i]
	if !ok {
		e = &edit{}
		pt.edits[i] = e
	}
	return e
}

// propIndex returns the line index of the component's property, or -1.
func (pt *patcher) propIndex(name string) int {
	for _, i := range pt.c.props {
		if pt.rc.lines[i].name == name {
			return i
		}
	}
	return -1
}

// plan decides every edit of the component.
func (pt *patcher) plan() {
	r := pt.r
	startIdx := pt.propIndex("DTSTART")
	anchor := startIdx // where new properties go: after DTSTART, else UID, else BEGIN
	if anchor < 0 {
		if anchor = pt.propIndex("UID"); anchor < 0 {
			anchor = pt.c.begin
		}
	}
	// The zone new properties are written in: DTSTART's, when it has one.
	var startLine *contentLine
	if startIdx >= 0 {
		startLine = &pt.rc.lines[startIdx]
	}
	pt.set("DTSTART", r.Start, anchor, startLine)
	endName := "DTEND"
	endTime := r.End
	if pt.c.name == "VTODO" {
		endName, endTime = "DUE", r.Due
	}
	pt.set(endName, endTime, anchor, startLine)
	if d := pt.propIndex("DURATION"); d >= 0 {
		pt.editAt(d).del = true
	}
	if s := pt.propIndex("SEQUENCE"); s >= 0 {
		l := &pt.rc.lines[s]
		if n, err := strconv.Atoi(strings.TrimSpace(l.value)); err == nil {
			pt.editAt(s).replace = fold(l.text[:len(l.text)-len(l.value)]+strconv.Itoa(n+1), l.eol)
		}
	}
}

// set writes property name with time t: replacing the existing line,
// inserting after anchor, or deleting the line when t is zero.
func (pt *patcher) set(name string, t time.Time, anchor int, zoneFrom *contentLine) {
	idx := pt.propIndex(name)
	if t.IsZero() {
		if idx >= 0 {
			pt.editAt(idx).del = true
		}
		return
	}
	if idx >= 0 {
		l := &pt.rc.lines[idx]
		pt.editAt(idx).replace = fold(pt.format(name, t, l, l), l.eol)
		return
	}
	eol := pt.rc.lines[pt.c.begin].eol
	if eol == "" {
		eol = "\r\n"
	}
	e := pt.editAt(anchor)
	e.after = append(e.after, fold(pt.format(name, t, nil, zoneFrom), eol))
}

// format renders "NAME;params:value". orig supplies parameters to keep;
// zoneFrom supplies the TZID to keep (the line itself, or DTSTART for a
// newly inserted end).
func (pt *patcher) format(name string, t time.Time, orig, zoneFrom *contentLine) string {
	var kept strings.Builder
	if orig != nil {
		for _, p := range orig.params {
			if p.name != "TZID" && p.name != "VALUE" {
				kept.WriteString(p.raw)
			}
		}
	}
	if pt.r.AllDay {
		return name + ";VALUE=DATE" + kept.String() + ":" + t.UTC().Format("20060102")
	}
	if zoneFrom != nil && !isDateValue(zoneFrom) {
		for _, p := range zoneFrom.params {
			if p.name != "TZID" || len(p.values) == 0 {
				continue
			}
			if z := zoneFor(p.values[0], pt.vtzs); z != nil {
				return name + p.raw + kept.String() + ":" + z.wall(t).Format("20060102T150405")
			}
		}
	}
	return name + kept.String() + ":" + t.UTC().Format("20060102T150405Z")
}

// isDateValue reports whether a line holds a DATE (not DATE-TIME) value.
func isDateValue(l *contentLine) bool {
	v := strings.ToUpper(l.paramValue("VALUE"))
	return v == "DATE" || (v == "" && len(strings.TrimSpace(l.value)) == 8)
}

// apply copies data with the edits applied. Bytes between lines (blank
// lines) are copied as they are.
func (pt *patcher) apply(data []byte) []byte {
	out := make([]byte, 0, len(data)+256)
	cursor := 0
	for i, l := range pt.rc.lines {
		e, ok := pt.edits[i]
		if !ok {
			continue
		}
		out = append(out, data[cursor:l.start]...)
		switch {
		case e.del:
		case e.replace != "":
			out = append(out, e.replace...)
		default:
			out = append(out, data[l.start:l.end]...)
		}
		for _, ins := range e.after {
			out = append(out, ins...)
		}
		cursor = l.end
	}
	return append(out, data[cursor:]...)
}

// verifyPatch reads the patched text back and checks the component now has
// the raster asked for, so that a bug here can never write a wrong time.
func verifyPatch(out []byte, key string, r adapters.Raster) error {
	items, err := Parse(out, ParseOptions{})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Key != key {
			continue
		}
		if it.Unreadable != "" {
			return fmt.Errorf("%s", it.Unreadable)
		}
		got, want := it.Raster.Normalized(), r.Normalized()
		if want.End.IsZero() {
			got.End = time.Time{}
		}
		if want.AllDay {
			want.Start, want.End, want.Due = dateOf(want.Start), dateOf(want.End), dateOf(want.Due)
		}
		if !got.Equal(want) {
			return fmt.Errorf("read back %s, want %s", got, want)
		}
		return nil
	}
	return fmt.Errorf("component %s vanished", key)
}

// dateOf truncates t to midnight UTC of its UTC date (zero stays zero).
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
