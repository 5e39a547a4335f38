package icalendar

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters/icalendar/internal/rrule"
)

// errBudget reports that a rule's expansion spent its work budget.
var errBudget = errors.New("expansion budget spent")

// compiledRule is one RRULE value ready to iterate, in the zone it runs in.
type compiledRule struct {
	opt rrule.ROption
	// untilUTC: UNTIL was written in UTC ("…Z"); a rule running on wall
	// times compares it as the wall time of that instant.
	untilUTC bool
	// quirks names what normalizeRule forgave, for the item's warnings.
	quirks []string
}

// compileRule parses an RRULE value for a series starting at dtstart (whose
// location is the zone the rule runs in). BYxxx lists are deduplicated, so
// a list repeated a thousand times costs what the distinct values cost.
func compileRule(value string, dtstart time.Time) (*compiledRule, error) {
	if len(value) > maxRuleBytes {
		return nil, fmt.Errorf("longer than %d bytes", maxRuleBytes)
	}
	value, quirks := normalizeRule(value)
	opt, err := rrule.StrToROptionInLocation(value, dtstart.Location())
	if err != nil {
		return nil, err
	}
	if len(opt.Byeaster) > 0 {
		return nil, fmt.Errorf("BYEASTER is not an iCalendar rule part")
	}
	for _, l := range []*[]int{&opt.Bysetpos, &opt.Bymonth, &opt.Bymonthday, &opt.Byyearday, &opt.Byweekno, &opt.Byhour, &opt.Byminute, &opt.Bysecond} {
		*l = distinct(*l)
	}
	opt.Byweekday = distinctWeekdays(opt.Byweekday)
	opt.Dtstart = dtstart
	if _, err := rrule.NewRRule(*opt); err != nil {
		return nil, err
	}
	until := ruleUntil(value)
	return &compiledRule{opt: *opt, untilUTC: strings.HasSuffix(until, "Z"), quirks: quirks}, nil
}

// instances calls yield with every instance of the rule from (about) from
// on, in order, until yield returns false or the rule ends. Each call
// spends from *budget; errBudget says it ran out first. A rule without
// COUNT starts from the last whole period before from instead of from
// DTSTART, so a rule that began in 1601 costs what one from last year
// costs.
func (r *compiledRule) instances(from time.Time, budget *int, yield func(time.Time) bool) (err error) {
	defer func() {
		if p := recover(); p != nil { // the rule library must not crash a sync
			err = fmt.Errorf("rule expansion failed: %v", p)
		}
	}()
	opt := r.opt
	if opt.Count == 0 && !from.IsZero() {
		opt.Dtstart = advanceStart(opt, from)
	}
	rule, err := rrule.NewRRule(opt)
	if err != nil {
		return err
	}
	next := rule.BoundedIterator(budget)
	for {
		t, ok := next()
		if !ok {
			break
		}
		if !yield(t) {
			return nil
		}
	}
	if *budget < 0 {
		return errBudget
	}
	return nil
}

// advanceStart moves a rule's DTSTART forward by whole periods (times the
// interval) to the last one at or before target, keeping its wall clock,
// weekday and day of month, so the rule yields the same instances from
// there on. It returns DTSTART unchanged when no such move is safe.
func advanceStart(opt rrule.ROption, target time.Time) time.Time {
	start := opt.Dtstart
	if !start.Before(target) {
		return start
	}
	target = target.In(start.Location())
	interval := max(opt.Interval, 1)
	var stepDays, stepMonths int
	switch opt.Freq {
	case rrule.YEARLY:
		stepMonths = 12 * interval
	case rrule.MONTHLY:
		stepMonths = interval
		if start.Day() > 28 { // keep the day: move by whole years only
			stepMonths = lcm(interval, 12)
		}
	case rrule.WEEKLY:
		stepDays = 7 * interval
	case rrule.DAILY:
		stepDays = interval
	case rrule.HOURLY:
		stepDays = interval / gcd(interval, 24)
	case rrule.MINUTELY:
		stepDays = interval / gcd(interval, 24*60)
	case rrule.SECONDLY:
		stepDays = interval / gcd(interval, 24*60*60)
	}
	if start.Month() == time.February && start.Day() == 29 && stepMonths > 0 {
		return start // a leap day: whole years would land on 1 March
	}
	y, m, d := start.Date()
	hh, mm, ss := start.Clock()
	at := func(k int) time.Time {
		if stepMonths > 0 {
			return time.Date(y, m+time.Month(k*stepMonths), d, hh, mm, ss, 0, start.Location())
		}
		return time.Date(y, m, d+k*stepDays, hh, mm, ss, 0, start.Location())
	}
	var k int
	switch {
	case stepMonths > 0:
		ty, tm, _ := target.Date()
		k = ((ty-y)*12 + int(tm-m)) / stepMonths
	case stepDays > 0:
		days := int(civil(target).Sub(civil(start)).Hours() / 24)
		k = days / stepDays
	default:
		return start
	}
	for ; k > 0; k-- {
		t := at(k)
		if t.After(target) {
			continue
		}
		h2, m2, s2 := t.Clock()
		if h2 != hh || m2 != mm || s2 != ss || stepMonths > 0 && t.Day() != d {
			return start // a DST gap or a short month moved it: not safe
		}
		return t
	}
	return start
}

// civil is the calendar date of t as midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }

func distinct(l []int) []int {
	if len(l) < 2 {
		return l
	}
	s := append([]int(nil), l...)
	sort.Ints(s)
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

func distinctWeekdays(l []rrule.Weekday) []rrule.Weekday {
	seen := map[string]bool{}
	var out []rrule.Weekday
	for _, w := range l {
		if k := strings.ToUpper(w.String()); !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}

// ruleUntil returns the UNTIL value of an RRULE ("" without one).
func ruleUntil(value string) string {
	for _, part := range strings.Split(value, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "UNTIL") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// normalizeRule accepts the small sins real producers commit in RRULE
// values and returns the strict form with one note per quirk forgiven:
// lower-case names and values ("freq=weekly;byday=mo"), empty parts (a
// trailing ";"), X- extension parts (dropped: RFC 5545 3.3.10 allows
// none), INTERVAL=0 (read as 1: no rule repeats every zero periods).
// Anything else unknown stays an error for the rule library to name.
func normalizeRule(value string) (string, []string) {
	var parts, quirks []string
	note := func(q string) {
		for _, have := range quirks {
			if have == q {
				return
			}
		}
		quirks = append(quirks, q)
	}
	for _, part := range strings.Split(strings.TrimSpace(value), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			note("empty part (a stray or trailing ';') ignored")
			continue
		}
		name, v, _ := strings.Cut(part, "=")
		upper := strings.ToUpper(name + "=" + v)
		if upper != name+"="+v {
			note("lower-case names or values read as upper case")
		}
		name, v = strings.ToUpper(strings.TrimSpace(name)), strings.ToUpper(strings.TrimSpace(v))
		switch {
		case strings.HasPrefix(name, "X-"):
			note("extension part " + clip(name) + " ignored")
			continue
		case name == "INTERVAL" && strings.Trim(v, "0") == "" && v != "":
			note("INTERVAL=0 read as 1")
			v = "1"
		}
		parts = append(parts, name+"="+v)
	}
	return strings.Join(parts, ";"), quirks
}
