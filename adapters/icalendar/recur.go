package icalendar

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// defaultExpandSpan is how far after DTSTART a rule is expanded when the
// window has no end.
const defaultExpandSpan = 2 * 365 * 24 * time.Hour

// expansion is what the parser needs to expand a master.
type expansion struct {
	window adapters.Window
	max    int
}

// recurring reports whether a component is a recurring master: it has an
// RRULE or RDATE and is not itself an override.
func (p *parser) recurring(c *rawComponent) bool {
	if p.rc.prop(c, "RECURRENCE-ID") != nil {
		return false
	}
	return p.rc.prop(c, "RRULE") != nil || p.rc.prop(c, "RDATE") != nil
}

// expand turns a parsed master item into its occurrences inside the
// window, keyed "ical:UID/<RECURRENCE-ID>", skipping the recurrence ids in
// overridden (they come as their own components). A master that cannot be
// expanded (an invalid RRULE) comes back as one Unreadable item.
func (p *parser) expand(c *rawComponent, master adapters.Item, overridden map[string]bool, ex expansion) []adapters.Item {
	starts, warn, err := p.occurrenceStarts(c, master.Key, master.Raster, ex)
	if err != nil {
		master.Unreadable = err.Error()
		return []adapters.Item{master}
	}
	var out []adapters.Item
	for _, s := range starts {
		rid := ridString(dateTime{t: s, isDate: master.Raster.AllDay})
		key := master.Key + "/" + rid
		if overridden[key] {
			continue
		}
		occ := master
		occ.Key = key
		occ.Raster = shiftRaster(master.Raster, s)
		occ.Warnings = append([]string(nil), master.Warnings...)
		occ.Attendees = append([]string(nil), master.Attendees...)
		if warn != "" {
			occ.Warnings = append(occ.Warnings, warn)
		}
		out = append(out, occ)
	}
	return out
}

// shiftRaster moves r so that it starts at s, keeping its length (in days
// for all-day rasters, so DST never shortens an all-day event).
func shiftRaster(r adapters.Raster, s time.Time) adapters.Raster {
	out := r
	base := r.Start
	if base.IsZero() {
		base = r.Due
	}
	move := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		if r.AllDay {
			days := int(t.Sub(base).Round(24*time.Hour) / (24 * time.Hour))
			return s.AddDate(0, 0, days)
		}
		return s.Add(t.Sub(base))
	}
	out.Start, out.End, out.Due = move(r.Start), move(r.End), move(r.Due)
	return out
}

// occurrenceStarts lists the start instants of every occurrence whose time
// overlaps the window: RRULE instances plus RDATEs minus EXDATEs (comma
// lists and several lines allowed), sorted, at most ex.max. warn is set when
// the rule was capped.
func (p *parser) occurrenceStarts(c *rawComponent, key string, master adapters.Raster, ex expansion) ([]time.Time, string, error) {
	startLine := p.rc.prop(c, "DTSTART")
	if startLine == nil {
		return nil, "", fmt.Errorf("line %d: recurring %s without DTSTART", p.rc.lines[c.begin].num, c.name)
	}
	length := time.Duration(0)
	if !master.End.IsZero() {
		length = master.End.Sub(master.Start)
	}
	from, to := ex.window.From, ex.window.To
	if to.IsZero() {
		to = maxTime(from, master.Start).Add(defaultExpandSpan)
	}
	inWindow := func(t time.Time) bool {
		if t.After(to) {
			return false
		}
		if from.IsZero() || !t.Before(from) {
			return true
		}
		return t.Add(length).After(from) // started before, still running

	}
	max := ex.max
	if max <= 0 {
		max = DefaultMaxOccurrences
	}
	set := map[int64]time.Time{}
	capped, spent := false, false
	clock := p.ruleClock(startLine, master.AllDay)
	budget := ruleBudget
	for _, i := range c.props {
		l := &p.rc.lines[i]
		if l.name != "RRULE" {
			continue
		}
		rule, err := compileRule(l.value, clock.wall(master.Start))
		if err != nil {
			return nil, "", fmt.Errorf("line %d: invalid RRULE %q: %v", l.num, clip(l.value), err)
		}
		// The rule runs on wall-clock times. In a VTIMEZONE-only zone the
		// offset at a wall time is not known before it is read, so start
		// a day early (no offset reaches a day).
		var wallFrom time.Time
		if !from.IsZero() {
			wallFrom = clock.wall(from.Add(-length))
			if clock.vtz != nil {
				wallFrom = wallFrom.AddDate(0, 0, -1)
			}
		}
		err = rule.instances(wallFrom, &budget, func(w time.Time) bool {
			t := clock.instant(w)
			if t.After(to) {
				return false
			}
			if len(set) >= max {
				capped = true
				return false
			}
			if inWindow(t) {
				set[t.Unix()] = t
			}
			return true
		})
		switch {
		case errors.Is(err, errBudget):
			spent = true
		case err != nil:
			return nil, "", fmt.Errorf("line %d: RRULE %q: %v", l.num, clip(l.value), err)
		}
	}
	// DTSTART is always the first instance (RFC 5545 3.8.5.3), even when
	// the rule would not produce it.
	if inWindow(master.Start) {
		set[master.Start.Unix()] = master.Start
	}
	rdates, err := p.dateList(c, "RDATE", master.AllDay)
	if err != nil {
		return nil, "", err
	}
	for _, t := range rdates {
		if inWindow(t) {
			set[t.Unix()] = t
		}
	}
	exdates, err := p.dateList(c, "EXDATE", master.AllDay)
	if err != nil {
		return nil, "", err
	}
	for _, t := range exdates {
		delete(set, t.Unix())
	}
	out := make([]time.Time, 0, len(set))
	for _, t := range set {
		out = append(out, t.UTC())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	if len(out) > max {
		out, capped = out[:max], true
	}
	warn, uid := "", strings.TrimPrefix(key, "ical:")
	switch {
	case spent && len(out) == 0:
		return nil, "", fmt.Errorf("line %d: recurrence of UID %s stopped after %d rule steps without an occurrence in the window (a rule that never matches, or too fine for its span)", p.rc.lines[c.begin].num, uid, ruleBudget)
	case spent:
		warn = fmt.Sprintf("recurrence stopped: UID %s spent %d rule steps, later occurrences may be missing", uid, ruleBudget)
	case capped:
		warn = fmt.Sprintf("recurrence capped: at most %d occurrences of UID %s are expanded", max, uid)
	}
	return out, warn, nil
}

// ruleClock is the clock a rule runs on, so that 09:00 stays 09:00 across
// DST: DTSTART's TZID (a Go location, or the offsets of the file's
// VTIMEZONE), the floating zone for floating times, UTC for UTC and all-day
// values.
type ruleClock struct {
	loc *time.Location // the rule runs in loc; nil when vtz is set
	vtz *vtimezone     // the rule runs on naive wall times of this zone
}

func (p *parser) ruleClock(l *contentLine, allDay bool) ruleClock {
	v := strings.TrimSpace(l.value)
	if allDay || strings.HasSuffix(strings.ToUpper(v), "Z") {
		return ruleClock{loc: time.UTC}
	}
	tzid := l.paramValue("TZID")
	if tzid == "" {
		return ruleClock{loc: p.floating}
	}
	z := zoneFor(tzid, p.vtzs)
	switch {
	case z == nil:
		return ruleClock{loc: p.floating}
	case z.loc != nil:
		return ruleClock{loc: z.loc}
	}
	return ruleClock{vtz: z.vtz}
}

// wall is instant t on this clock.
func (c ruleClock) wall(t time.Time) time.Time {
	if c.vtz != nil {
		return t.UTC().Add(time.Duration(c.vtz.offsetAt(t)) * time.Second)
	}
	return t.In(c.loc)
}

// instant is the instant of a time the rule produced.
func (c ruleClock) instant(w time.Time) time.Time {
	if c.vtz != nil {
		return c.vtz.instant(naive(w))
	}
	return w
}

// dateList reads every value of every RDATE or EXDATE line: comma lists,
// their own TZID and VALUE parameters, PERIOD values by their start.
func (p *parser) dateList(c *rawComponent, name string, allDay bool) ([]time.Time, error) {
	var out []time.Time
	for _, i := range c.props {
		l := p.rc.lines[i]
		if l.name != name {
			continue
		}
		period := strings.EqualFold(l.paramValue("VALUE"), "PERIOD")
		for _, v := range strings.Split(l.value, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if period {
				v, _, _ = strings.Cut(v, "/")
			}
			one := l
			one.value = v
			if period {
				one.params = withoutParam(l.params, "VALUE")
			}
			dt, err := readDateTime(&one, p.vtzs, p.floating)
			if err != nil {
				return nil, err
			}
			t := dt.t
			if allDay && !dt.isDate {
				t = dateOf(t)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

func withoutParam(ps []param, name string) []param {
	var out []param
	for _, p := range ps {
		if p.name != name {
			out = append(out, p)
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
