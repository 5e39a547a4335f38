package icalendar

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters/icalendar/internal/rrule"
)

// vtimezone is the offset table of one VTIMEZONE: the last-resort way to
// read a TZID that is neither IANA nor a known Windows name.
//
// Its rules are expanded only around the years asked for, one year at a
// time and cached, never from their DTSTART on: Outlook starts its rules
// in 1601, and a rule expanded from there either took forever (FREQ=
// SECONDLY) or, in the rule library, stopped 292 years later, which left
// every custom zone in 1893's DST period. All its expansion shares one
// budget; once spent, what was found is used and readers warn.
type vtimezone struct {
	tzid        string
	observances []observance // sorted by start
	refused     string       // why the zone is not used, "" when it is
	budget      int
	spent       bool
}

// observance is one STANDARD or DAYLIGHT block. Onsets are wall-clock times
// in the offset before the change (TZOFFSETFROM), held as naive UTC times.
type observance struct {
	from, to int // offsets in seconds east of UTC
	start    time.Time
	rule     *compiledRule
	lookback int         // years to look back for the rule's last onset
	rdates   []time.Time // sorted
	years    map[int][]time.Time
}

// buildVTimezones reads every VTIMEZONE of the calendar. A block it cannot
// read is skipped: the zone then just has fewer observances, and a TZID
// with none is reported as unknown by the caller. A zone over the size
// bounds is kept with the reason it is refused, so the warning says why.
func buildVTimezones(rc *rawCalendar) map[string]*vtimezone {
	out := map[string]*vtimezone{}
	for _, c := range rc.root.children {
		if c.name != "VTIMEZONE" {
			continue
		}
		id := rc.prop(c, "TZID")
		if id == nil || len(id.value) > maxTZIDBytes {
			continue // such a TZID is never looked up (zoneFor)
		}
		// The property is TEXT: Outlook's display names escape their commas.
		v := &vtimezone{tzid: unescapeText(id.value), budget: zoneBudget}
		rdates := 0
		for _, o := range c.children {
			if o.name != "STANDARD" && o.name != "DAYLIGHT" {
				continue
			}
			if len(v.observances) == maxObservances {
				v.refused = fmt.Sprintf("more than %d observances", maxObservances)
				break
			}
			if ob, err := readObservance(rc, o); err == nil {
				v.observances = append(v.observances, ob)
				rdates += len(ob.rdates)
			}
		}
		if rdates > maxZoneRDates {
			v.refused = fmt.Sprintf("more than %d RDATEs", maxZoneRDates)
		}
		sort.SliceStable(v.observances, func(i, j int) bool { return v.observances[i].start.Before(v.observances[j].start) })
		out[v.tzid] = v
	}
	return out
}

func readObservance(rc *rawCalendar, c *rawComponent) (observance, error) {
	ob := observance{years: map[int][]time.Time{}, lookback: 1}
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
		if ob.rule, err = compileRule(r.value, ob.start); err != nil {
			return ob, err
		}
		// A rule that fires every n years is looked for n years back.
		switch opt := ob.rule.opt; opt.Freq {
		case rrule.YEARLY:
			ob.lookback = min(max(opt.Interval, 1), 10)
		case rrule.MONTHLY:
			ob.lookback = min(max(opt.Interval, 1)/12+1, 10)
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
	sort.Slice(ob.rdates, func(i, j int) bool { return ob.rdates[i].Before(ob.rdates[j]) })
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
func (v *vtimezone) lastOnset(o *observance, t time.Time) (time.Time, bool) {
	limit := t.UTC().Add(time.Duration(o.from) * time.Second) // as wall clock
	var best time.Time
	consider := func(w time.Time) {
		if !w.After(limit) && w.After(best) {
			best = w
		}
	}
	consider(o.start)
	if n := sort.Search(len(o.rdates), func(i int) bool { return o.rdates[i].After(limit) }); n > 0 {
		consider(o.rdates[n-1])
	}
	if o.rule != nil && !limit.Before(o.start) {
		last := limit
		if u := o.rule.opt.Until; !u.IsZero() && u.Before(last) {
			last = u // the rule ended: look where it ended
		}
		for y := last.Year(); y >= last.Year()-o.lookback && y >= o.start.Year(); y-- {
			if w, ok := latestBefore(v.ruleYear(o, y), last); ok {
				consider(w)
				break
			}
		}
	}
	if best.IsZero() {
		return time.Time{}, false
	}
	return best.Add(-time.Duration(o.from) * time.Second), true
}

// ruleYear returns the onsets the observance's rule has in year y (naive
// wall times), computed once, from the zone's budget.
func (v *vtimezone) ruleYear(o *observance, y int) []time.Time {
	if ws, ok := o.years[y]; ok {
		return ws
	}
	var ws []time.Time
	if v.budget >= 0 {
		err := o.rule.instances(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), &v.budget, func(w time.Time) bool {
			if w.Year() > y {
				return false
			}
			if w.Year() == y {
				ws = append(ws, w)
			}
			return true
		})
		if err != nil {
			v.spent = true
		}
	} else {
		v.spent = true
	}
	o.years[y] = ws
	return ws
}

// latestBefore returns the last of the sorted times ws at or before limit.
func latestBefore(ws []time.Time, limit time.Time) (time.Time, bool) {
	n := sort.Search(len(ws), func(i int) bool { return ws[i].After(limit) })
	if n == 0 {
		return time.Time{}, false
	}
	return ws[n-1], true
}

// offsetAt returns the UTC offset in seconds in force at instant t: the
// TZOFFSETTO of the observance with the latest onset, or before any onset
// the TZOFFSETFROM of the earliest.
func (v *vtimezone) offsetAt(t time.Time) int {
	var best time.Time
	off, found := 0, false
	for i := range v.observances {
		o := &v.observances[i]
		if on, ok := v.lastOnset(o, t); ok && (!found || on.After(best)) {
			best, off, found = on, o.to, true
		}
	}
	if found {
		return off
	}
	return v.observances[0].from
}

// instant reads a naive wall-clock time as a time in this zone (RFC 5545
// 3.3.5, see resolveWall).
func (v *vtimezone) instant(wall time.Time) time.Time {
	return resolveWall(wall, v.offsetAt)
}
