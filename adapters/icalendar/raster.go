package icalendar

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/gwsync/gwsync/adapters"
)

// raster fills it.Raster from DTSTART, DTEND or DURATION (events) and
// DTSTART, DUE or DURATION (tasks). It returns an error only for what makes
// the item unusable: a VEVENT without DTSTART, a value that is not a date.
func (p *parser) raster(c *rawComponent, it *adapters.Item) error {
	begin := p.rc.lines[c.begin].num
	read := func(name string) (*dateTime, error) {
		l := p.rc.prop(c, name)
		if l == nil {
			return nil, nil
		}
		dt, err := readDateTime(l, p.vtzs, p.floating)
		if err != nil {
			return nil, err
		}
		if dt.warn != "" {
			it.Warnings = append(it.Warnings, fmt.Sprintf("line %d: %s", l.num, dt.warn))
		}
		return &dt, nil
	}
	start, err := read("DTSTART")
	if err != nil {
		return err
	}
	endName := "DTEND"
	if c.name == ical.CompToDo {
		endName = "DUE"
	}
	end, err := read(endName)
	if err != nil {
		return err
	}
	if start == nil && c.name == ical.CompEvent {
		return fmt.Errorf("line %d: VEVENT without DTSTART", begin)
	}
	var dur *icalDuration
	if l := p.rc.prop(c, "DURATION"); l != nil && end == nil && start != nil {
		d, err := parseDuration(l.value)
		if err != nil {
			return fmt.Errorf("line %d: DURATION: bad value %q", l.num, clip(l.value))
		}
		if d.negative {
			// Liberal: a writer's sign slip; its length is what it meant.
			it.Warnings = append(it.Warnings, fmt.Sprintf("line %d: negative DURATION %q read as its length", l.num, clip(l.value)))
			d = d.magnitude()
		}
		dur = &d
	}

	r := &it.Raster
	if start != nil {
		r.Start, r.AllDay, r.TimeZone = start.t, start.isDate, start.tz
	}
	var e time.Time
	switch {
	case end != nil:
		e = end.t
		if start == nil {
			r.AllDay, r.TimeZone = end.isDate, end.tz
		} else if end.isDate != start.isDate {
			it.Warnings = append(it.Warnings, fmt.Sprintf("%s and DTSTART mix DATE and DATE-TIME; read as given", endName))
		}
	case dur != nil && start.isDate:
		e = start.t.AddDate(0, 0, dur.days).Add(dur.exact)
	case dur != nil:
		// Calendar days from DTSTART's wall time as written (RFC 5545 3.3.6).
		startLine := p.rc.prop(c, "DTSTART")
		clock := p.ruleClock(startLine, false)
		if w, ok := startWall(startLine, false); ok && dur.days != 0 {
			e = clock.instant(w.AddDate(0, 0, dur.days)).Add(dur.exact)
		} else {
			e = dur.after(clock, start.t)
		}
	case start != nil && start.isDate && c.name == ical.CompEvent:
		e = start.t.AddDate(0, 0, 1) // RFC 5545 3.6.1: an all-day event lasts one day
	}
	if c.name == ical.CompToDo {
		r.Due = e
	} else {
		r.End = e
	}
	if !e.IsZero() && start != nil && e.Before(start.t) {
		it.Warnings = append(it.Warnings, fmt.Sprintf("%s is before DTSTART", endName))
	}
	return nil
}
