package icalendar

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// vtimezone is the offset table of one VTIMEZONE: the last-resort way to
// read a TZID that is neither IANA nor a known Windows name.
type vtimezone struct {
	tzid        string
	observances []observance
}

// observance is one STANDARD or DAYLIGHT block. Onsets are wall-clock times
// in the offset before the change (TZOFFSETFROM), held as naive UTC times.
type observance struct {
	from, to int // offsets in seconds east of UTC
	start    time.Time
	rule     *rrule.RRule
	rdates   []time.Time
}

// buildVTimezones reads every VTIMEZONE of the calendar. A block it cannot
// read is skipped: the zone then just has fewer observances, and a TZID
// with none is reported as unknown by the caller.
func buildVTimezones(rc *rawCalendar) map[string]*vtimezone {
	out := map[string]*vtimezone{}
	for _, c := range rc.root.children {
		if c.name != "VTIMEZONE" {
			continue
		}
		id := rc.prop(c, "TZID")
		if id == nil {
			continue
		}
		v := &vtimezone{tzid: id.value}
		for _, o := range c.children {
			if o.name != "STANDARD" && o.name != "DAYLIGHT" {
				continue
			}
			if ob, err := readObservance(rc, o); err == nil {
				v.observances = append(v.observances, ob)
			}
		}
		out[v.tzid] = v
	}
	return out
}

func readObservance(rc *rawCalendar, c *rawComponent) (observance, error) {
	var ob observance
	from, to, start := rc.prop(c, "TZOFFSETFROM"), rc.prop(c, "TZOFFSETTO"), rc.prop(c, "DTSTART")
	if from == nil || to == nil || start == nil {
		return ob, fmt.Errorf("observance without TZOFFSETFROM, TZOFFSETTO or DTSTART")
	}
	var err error
	if ob.from, err = parseOffset(from.value); err != nil {
		return ob, err
	}
	if ob.to, err = parseOffset(to.value); err != nil {
		return ob, err
	}
	if ob.start, err = time.Parse("20060102T150405", strings.TrimSuffix(start.value, "Z")); err != nil {
		return ob, err
	}
	if r := rc.prop(c, "RRULE"); r != nil {
		opt, err := rrule.StrToROption(r.value)
		if err != nil {
			return ob, err
		}
		opt.Dtstart = ob.start
		if ob.rule, err = rrule.NewRRule(*opt); err != nil {
			return ob, err
		}
	}
	for _, i := range c.props {
		if rc.lines[i].name != "RDATE" {
			continue
		}
		for _, v := range strings.Split(rc.lines[i].value, ",") {
			if t, err := time.Parse("20060102T150405", strings.TrimSuffix(v, "Z")); err == nil {
				ob.rdates = append(ob.rdates, t)
			}
		}
	}
	return ob, nil
}

// parseOffset reads "+0100", "-0500" or "+053000" as seconds east of UTC.
func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	if len(s) == 5 {
		n *= 100
	}
	secs := n/10000*3600 + n/100%100*60 + n%100
	if s[0] == '-' {
		secs = -secs
	}
	return secs, nil
}

// lastOnset returns the instant of the observance's latest onset at or
// before t, and false when it has none yet.
func (o observance) lastOnset(t time.Time) (time.Time, bool) {
	limit := t.UTC().Add(time.Duration(o.from) * time.Second) // as wall clock
	var best time.Time
	consider := func(w time.Time) {
		if !w.After(limit) && w.After(best) {
			best = w
		}
	}
	consider(o.start)
	if o.rule != nil {
		if w := o.rule.Before(limit, true); !w.IsZero() {
			consider(w)
		}
	}
	for _, w := range o.rdates {
		consider(w)
	}
	if best.IsZero() {
		return time.Time{}, false
	}
	return best.Add(-time.Duration(o.from) * time.Second), true
}

// offsetAt returns the UTC offset in seconds in force at instant t: the
// TZOFFSETTO of the observance with the latest onset, or before any onset
// the TZOFFSETFROM of the earliest.
func (v *vtimezone) offsetAt(t time.Time) int {
	var best time.Time
	off, found := 0, false
	for _, o := range v.observances {
		if on, ok := o.lastOnset(t); ok && (!found || on.After(best)) {
			best, off, found = on, o.to, true
		}
	}
	if found {
		return off
	}
	obs := append([]observance(nil), v.observances...)
	sort.Slice(obs, func(i, j int) bool { return obs[i].start.Before(obs[j].start) })
	return obs[0].from
}

// instant reads a naive wall-clock time as a time in this zone. A wall time
// that exists twice (the autumn hour) takes the earlier instant; one that
// does not exist (the spring gap) is shifted forward, as time.Date does.
func (v *vtimezone) instant(wall time.Time) time.Time {
	offsets := map[int]bool{}
	for _, o := range v.observances {
		offsets[o.from], offsets[o.to] = true, true
	}
	var cands []time.Time
	for off := range offsets {
		t := wall.Add(-time.Duration(off) * time.Second)
		if v.offsetAt(t) == off {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return wall.Add(-time.Duration(v.offsetAt(wall)) * time.Second)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	return cands[0]
}
