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
//
// Each occurrence keeps the master's length, except that an RDATE PERIOD
// brings its own end, a DURATION in days or weeks is counted in calendar
// days from each start (RFC 5545 3.3.6: 23 or 25 hours across DST), and
// occurrences after a RANGE=THISANDFUTURE override take its shift and
// length (RFC 5545 3.8.4.4).
func (p *parser) expand(c *rawComponent, master adapters.Item, ov overrides, ex expansion) []adapters.Item {
	starts, periodEnds, warns, err := p.occurrenceStarts(c, master.Key, master.Raster, ex)
	if err != nil {
		master.Unreadable = err.Error()
		return []adapters.Item{master}
	}
	clock := p.ruleClock(p.rc.prop(c, "DTSTART"), master.Raster.AllDay)
	nominal, hasNominal := p.nominalDuration(c)
	var out []adapters.Item
	for _, s := range starts {
		rid := ridString(dateTime{t: s, isDate: master.Raster.AllDay})
		key := master.Key + "/" + rid
		if ov.keys[key] {
			continue
		}
		occ := master
		occ.Key = key
		occ.Raster = shiftRaster(master.Raster, s)
		end := &occ.Raster.End
		if master.Kind == adapters.KindTask {
			end = &occ.Raster.Due
		}
		switch e, ok := periodEnds[s.Unix()]; {
		case ok:
			*end = e
		case hasNominal && !end.IsZero():
			*end = nominal.after(clock, s)
		}
		if f, ok := ov.futureFor(master.Key, s); ok {
			f.apply(&occ)
		}
		occ.Warnings = append([]string(nil), master.Warnings...)
		occ.Attendees = append([]string(nil), master.Attendees...)
		occ.Warnings = append(occ.Warnings, warns...)
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
// lists and several lines allowed), sorted, at most ex.max. warns names the
// quirks of the rules forgiven, and whether the rule was capped.
func (p *parser) occurrenceStarts(c *rawComponent, key string, master adapters.Raster, ex expansion) ([]time.Time, map[int64]time.Time, []string, error) {
	startLine := p.rc.prop(c, "DTSTART")
	if startLine == nil {
		return nil, nil, nil, fmt.Errorf("line %d: recurring %s without DTSTART", p.rc.lines[c.begin].num, c.name)
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
	var quirks []string
	clock := p.ruleClock(startLine, master.AllDay)
	dtstartWall, ok := startWall(startLine, master.AllDay)
	if !ok {
		dtstartWall = clock.wall(master.Start)
	}
	budget := ruleBudget
	for _, i := range c.props {
		l := &p.rc.lines[i]
		if l.name != "RRULE" {
			continue
		}
		rule, err := compileRule(l.value, dtstartWall)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("line %d: invalid RRULE %q: %v", l.num, clip(l.value), err)
		}
		for _, q := range rule.quirks {
			quirks = append(quirks, fmt.Sprintf("line %d: RRULE: %s", l.num, q))
		}
		if u := rule.opt.Until; !u.IsZero() && rule.untilUTC {
			rule.opt.Until = clock.wall(u) // the rule compares wall times
		}
		// The rule runs on wall-clock times. Around an autumn fold an
		// instance whose wall time is before the window's may still start
		// inside it, so start a few hours early (no DST change is longer).
		var wallFrom time.Time
		if !from.IsZero() {
			wallFrom = clock.wall(from.Add(-length))
			if clock.z.loc != time.UTC {
				wallFrom = wallFrom.Add(-3 * time.Hour)
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
			return nil, nil, nil, fmt.Errorf("line %d: RRULE %q: %v", l.num, clip(l.value), err)
		}
	}
	// DTSTART is always the first instance (RFC 5545 3.8.5.3), even when
	// the rule would not produce it.
	if inWindow(master.Start) {
		set[master.Start.Unix()] = master.Start
	}
	rdates, err := p.dateList(c, "RDATE", master.AllDay, clock)
	if err != nil {
		return nil, nil, nil, err
	}
	periodEnds := map[int64]time.Time{}
	for _, d := range rdates {
		if inWindow(d.start) {
			if _, dup := set[d.start.Unix()]; !dup && !d.end.IsZero() {
				periodEnds[d.start.Unix()] = d.end
			}
			set[d.start.Unix()] = d.start
		}
	}
	exdates, err := p.dateList(c, "EXDATE", master.AllDay, clock)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, d := range exdates {
		delete(set, d.start.Unix())
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
	warns := quirks
	switch {
	case spent && len(out) == 0:
		return nil, nil, nil, fmt.Errorf("line %d: recurrence of UID %s stopped after %d rule steps without an occurrence in the window (a rule that never matches, or too fine for its span)", p.rc.lines[c.begin].num, uid, ruleBudget)
	case spent:
		warn = fmt.Sprintf("recurrence stopped: UID %s spent %d rule steps, later occurrences may be missing", uid, ruleBudget)
	case capped:
		warn = fmt.Sprintf("recurrence capped: at most %d occurrences of UID %s are expanded", max, uid)
	}
	if warn != "" {
		warns = append(warns, warn)
	}
	return out, periodEnds, warns, nil
}

// ruleClock is the clock a series runs on, so that 09:00 stays 09:00
// across DST: DTSTART's TZID (a Go location, or the offsets of the file's
// VTIMEZONE), the floating zone for floating times, UTC for UTC and all-day
// values. Rules always run on naive wall times (fields of UTC times, where
// no DST exists); each instance is then read in the zone by RFC 5545 3.3.5
// (zone.instant), so an instance in the spring gap moves forward by the
// gap and one in the autumn fold is its first occurrence, exactly as a
// single DTSTART at that wall time is read.
type ruleClock struct {
	z *zone
}

func (p *parser) ruleClock(l *contentLine, allDay bool) ruleClock {
	v := strings.TrimSpace(l.value)
	if allDay || strings.HasSuffix(strings.ToUpper(v), "Z") {
		return ruleClock{locZone(time.UTC)}
	}
	tzid := l.paramValue("TZID")
	if tzid == "" {
		return ruleClock{locZone(p.floating)}
	}
	if z := zoneFor(tzid, p.vtzs); z != nil {
		return ruleClock{z}
	}
	return ruleClock{locZone(p.floating)}
}

// wall is instant t on this clock, as a naive time.
func (c ruleClock) wall(t time.Time) time.Time {
	return c.z.wall(t)
}

// instant is the instant of a naive wall time the rule produced.
func (c ruleClock) instant(w time.Time) time.Time {
	return c.z.instant(w)
}

// startWall is DTSTART's wall clock as written (a naive time): the rule
// runs from there, even when DTSTART lies in a DST gap and its instant
// reads as another wall time.
func startWall(l *contentLine, allDay bool) (time.Time, bool) {
	v := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(l.value), "Z"), "z")
	if allDay {
		t, err := time.Parse("20060102", v)
		return t, err == nil
	}
	t, err := time.Parse("20060102T150405", v)
	return t, err == nil
}

// listedDate is one RDATE or EXDATE value: its start, and the end of a
// PERIOD value (zero otherwise).
type listedDate struct {
	start, end time.Time
}

// dateList reads every value of every RDATE or EXDATE line: comma lists,
// their own TZID and VALUE parameters, PERIOD values with their own end
// (an explicit end or a duration, RFC 5545 3.3.9). A floating value is read
// on the series' clock (in DTSTART's zone, as RFC 5545 3.8.5.1 and the
// reference implementation read it), not in the floating zone.
func (p *parser) dateList(c *rawComponent, name string, allDay bool, clock ruleClock) ([]listedDate, error) {
	var out []listedDate
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
			var endPart string
			if period {
				v, endPart, _ = strings.Cut(v, "/")
			}
			one := l
			one.value = v
			if period {
				one.params = withoutParam(l.params, "VALUE")
			}
			var t time.Time
			if w, ok := floatingWall(&one); ok {
				t = clock.instant(w)
			} else {
				dt, err := readDateTime(&one, p.vtzs, p.floating)
				if err != nil {
					return nil, err
				}
				t = dt.t
				if allDay && !dt.isDate {
					t = dateOf(t)
				}
			}
			d := listedDate{start: t}
			if endPart != "" {
				end, err := p.periodEnd(&one, endPart, t, clock)
				if err != nil {
					return nil, err
				}
				d.end = end
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// floatingWall returns the wall time of a floating DATE-TIME value (no
// TZID, no "Z"); ok is false for any other value.
func floatingWall(l *contentLine) (time.Time, bool) {
	v := strings.TrimSpace(l.value)
	if l.paramValue("TZID") != "" || isDateValue(l) || strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		return time.Time{}, false
	}
	w, err := time.Parse("20060102T150405", v)
	return w, err == nil
}

// periodEnd reads the end of a PERIOD value: a date-time (same rules as
// its start) or a duration from start.
func (p *parser) periodEnd(l *contentLine, v string, start time.Time, clock ruleClock) (time.Time, error) {
	if strings.HasPrefix(strings.TrimLeft(v, "+-"), "P") {
		d, err := parseDuration(v)
		if err != nil || d.negative {
			return time.Time{}, fmt.Errorf("line %d: %s: bad PERIOD duration %q", l.num, l.name, clip(v))
		}
		return d.after(clock, start), nil
	}
	one := *l
	one.value = v
	if w, ok := floatingWall(&one); ok {
		return clock.instant(w), nil
	}
	dt, err := readDateTime(&one, p.vtzs, p.floating)
	if err != nil {
		return time.Time{}, err
	}
	return dt.t, nil
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
