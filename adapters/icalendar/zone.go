package icalendar

import (
	"strings"
	"time"
	_ "time/tzdata" // containers often lack /usr/share/zoneinfo
)

// ResolveTZID maps a TZID as groupware writes it to an IANA location: an
// IANA name ("Europe/Berlin"), a Windows name as Outlook and Exchange write
// it ("W. Europe Standard Time"), or an IANA name behind a path prefix
// ("/mozilla.org/20050126_1/Europe/Berlin",
// "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"). Surrounding
// quotes and blanks are ignored. It reports false for anything else; the
// caller may then fall back to the file's VTIMEZONE (see zoneFor).
//
// "Local" and "" are never resolved: they name the writer's machine, not a
// zone, and silently reading them as this machine's zone would shift times.
func ResolveTZID(tzid string) (*time.Location, bool) {
	name := strings.Trim(strings.TrimSpace(tzid), `"`)
	if name == "" || strings.EqualFold(name, "local") {
		return nil, false
	}
	if loc, ok := loadIANA(name); ok {
		return loc, true
	}
	if iana, ok := windowsZones[name]; ok {
		return loadIANA(iana)
	}
	// Prefixed forms: try the last three, two and one path segments, so
	// that both "Europe/Berlin" and "America/Argentina/Buenos_Aires" match.
	if strings.Contains(name, "/") {
		parts := strings.Split(strings.Trim(name, "/"), "/")
		for n := min(3, len(parts)-1); n >= 1; n-- {
			if loc, ok := loadIANA(strings.Join(parts[len(parts)-n:], "/")); ok {
				return loc, true
			}
		}
	}
	return nil, false
}

// loadIANA loads an IANA zone, refusing names LoadLocation would read as
// something else ("Local") or that are not zone names at all.
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "local") || strings.ContainsAny(name, " \\") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// zone converts between the wall-clock times of a TZID and instants. It is
// either a Go location (IANA, Windows or prefixed names) or, when the TZID
// names nothing Go knows, the offsets of the file's VTIMEZONE.
type zone struct {
	iana string         // the IANA name, "" for a VTIMEZONE-only zone
	loc  *time.Location // nil for a VTIMEZONE-only zone
	vtz  *vtimezone
}

// zoneFor resolves tzid, falling back to the VTIMEZONE of that TZID in the
// file. It returns nil when neither works.
func zoneFor(tzid string, vtzs map[string]*vtimezone) *zone {
	if len(tzid) > maxTZIDBytes {
		return nil
	}
	if loc, ok := ResolveTZID(tzid); ok {
		return &zone{iana: loc.String(), loc: loc}
	}
	if v, ok := vtzs[tzid]; ok && len(v.observances) > 0 && v.refused == "" {
		return &zone{vtz: v}
	}
	return nil
}

// locZone is the zone of a Go location (the floating zone, UTC).
func locZone(loc *time.Location) *zone {
	return &zone{iana: loc.String(), loc: loc}
}

// instant reads the wall-clock fields of wall (its location is ignored) as a
// time in the zone, by RFC 5545 3.3.5 (resolveWall).
func (z *zone) instant(wall time.Time) time.Time {
	return resolveWall(naive(wall), z.offsetAt)
}

// offsetAt is the zone's UTC offset in seconds at instant t.
func (z *zone) offsetAt(t time.Time) int {
	if z.loc != nil {
		_, off := t.In(z.loc).Zone()
		return off
	}
	return z.vtz.offsetAt(t)
}

// resolveWall reads a naive wall-clock time (fields of a UTC time) as an
// instant in the zone whose offsets offsetAt gives, as RFC 5545 3.3.5 says:
// a time that occurs twice (the autumn fold) is its first occurrence; a
// time that does not exist (the spring gap) is read with the offset in
// force before the gap, so 02:30 in a 02:00-03:00 gap becomes 03:30.
// time.Date leaves both unspecified (in practice it depends on the sign of
// the offset), so neither Go locations nor VTIMEZONEs use it for this.
//
// The offsets around a wall time are those a day before and after it: no
// zone changes its offset twice within two days.
func resolveWall(wall time.Time, offsetAt func(time.Time) int) time.Time {
	before := offsetAt(wall.Add(-24 * time.Hour))
	after := offsetAt(wall.Add(24 * time.Hour))
	var best time.Time
	found := false
	for _, off := range []int{before, after} {
		t := wall.Add(-time.Duration(off) * time.Second)
		if offsetAt(t) == off && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	if found {
		return best
	}
	return wall.Add(-time.Duration(before) * time.Second) // in the gap
}

// wall returns t's wall clock in the zone, as fields of a UTC time.
func (z *zone) wall(t time.Time) time.Time {
	if z.loc != nil {
		return naive(t.In(z.loc))
	}
	return t.UTC().Add(time.Duration(z.vtz.offsetAt(t)) * time.Second)
}

// naive returns the wall-clock fields of t as a UTC time.
func naive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
