package icalendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// icalDuration is a DURATION value (RFC 5545 3.3.6). Weeks and days are
// nominal: a day is a calendar day, 23 or 25 hours across a DST change, so
// P1D from 12:00 ends at 12:00 the next day. Hours, minutes and seconds
// are exact. A negative sign is kept apart for the caller to judge.
type icalDuration struct {
	days     int           // weeks * 7 + days
	exact    time.Duration // hours, minutes, seconds
	negative bool
}

// parseDuration reads "[+|-]P[nW][nD][T[nH][nM][nS]]". It is liberal where
// no meaning is lost (weeks mixed with days, lower case) and refuses
// anything else, naming the value.
func parseDuration(v string) (icalDuration, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	var d icalDuration
	bad := func() (icalDuration, error) { return icalDuration{}, fmt.Errorf("bad duration %q", clip(v)) }
	switch {
	case strings.HasPrefix(s, "-"):
		d.negative, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return bad()
	}
	s = s[1:]
	inTime, any := false, false
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime {
				return bad()
			}
			inTime, s = true, s[1:]
			continue
		}
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n == len(s) || n > 9 {
			return bad()
		}
		num, _ := strconv.Atoi(s[:n])
		unit := s[n]
		s = s[n+1:]
		any = true
		switch {
		case unit == 'W' && !inTime:
			d.days += 7 * num
		case unit == 'D' && !inTime:
			d.days += num
		case unit == 'H' && inTime:
			d.exact += time.Duration(num) * time.Hour
		case unit == 'M' && inTime:
			d.exact += time.Duration(num) * time.Minute
		case unit == 'S' && inTime:
			d.exact += time.Duration(num) * time.Second
		default:
			return bad()
		}
	}
	if !any || d.days > 100_000 {
		return bad()
	}
	return d, nil
}

// after returns the end of a duration starting at instant start on clock:
// the calendar days added to start's wall time in the clock's zone, then
// the exact part.
func (d icalDuration) after(clock ruleClock, start time.Time) time.Time {
	if d.days == 0 {
		return start.Add(d.exact)
	}
	return clock.instant(clock.wall(start).AddDate(0, 0, d.days)).Add(d.exact)
}

// magnitude is the duration without its sign.
func (d icalDuration) magnitude() icalDuration {
	d.negative = false
	return d
}

// nominalDuration returns the component's DURATION when it counts days or
// weeks and no DTEND/DUE overrides it: then each occurrence's end is
// counted from its own start.
func (p *parser) nominalDuration(c *rawComponent) (icalDuration, bool) {
	l := p.rc.prop(c, "DURATION")
	if l == nil || p.rc.prop(c, "DTEND") != nil || p.rc.prop(c, "DUE") != nil {
		return icalDuration{}, false
	}
	d, err := parseDuration(l.value)
	if err != nil || d.days == 0 {
		return icalDuration{}, false
	}
	return d.magnitude(), true
}
