package xchg

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// wallLayout is Graph's dateTimeTimeZone.dateTime: a wall clock without
// offset, with up to seven fractional digits ("2026-03-10T09:00:00.0000000").
const wallLayout = "2006-01-02T15:04:05.9999999"

// Zone resolves an Exchange time-zone name (Windows names such as
// "W. Europe Standard Time", IANA names, "UTC") to a location and its IANA
// name ("" for UTC). ok is false for a name nobody knows; the caller then
// reads the time as UTC and warns, which is right for Graph (it reports
// UTC unless asked otherwise) and the best guess elsewhere.
func Zone(name string) (loc *time.Location, iana string, ok bool) {
	n := strings.TrimSpace(name)
	switch strings.ToLower(n) {
	case "", "utc", "etc/utc", "z", "coordinated universal time", "tzone://microsoft/utc":
		return time.UTC, "", true
	}
	if l, found := icalendar.ResolveTZID(n); found {
		if l.String() == "UTC" || l.String() == "Etc/UTC" {
			return time.UTC, "", true
		}
		return l, l.String(), true
	}
	return time.UTC, "", false
}

// WallTime parses a Graph dateTimeTimeZone. warn is set when the zone is
// unknown (the time was then read as UTC).
func WallTime(dateTime, zone string) (t time.Time, warn string, err error) {
	w, err := time.Parse(wallLayout, strings.TrimSpace(strings.TrimSuffix(dateTime, "Z")))
	if err != nil {
		return time.Time{}, "", fmt.Errorf("date-time %q: not in the form 2006-01-02T15:04:05", dateTime)
	}
	loc, _, ok := Zone(zone)
	if !ok {
		warn = fmt.Sprintf("unknown time zone %q, read as UTC", zone)
	}
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc), warn, nil
}

// AllDayDate returns midnight UTC of t's calendar date in loc: how gwsync
// stores all-day dates so that they never shift with the reader's zone.
func AllDayDate(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// FormatWall renders t as Graph's dateTime in UTC, the zone gwsync writes
// in (Graph and EWS accept it everywhere; the event keeps its own
// originalStartTimeZone for display). All-day rasters are written as the
// date at midnight.
func FormatWall(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// CheckRaster refuses a raster Exchange cannot store for kind.
// Errors: InvalidItem.
func CheckRaster(id string, kind adapters.Kind, r adapters.Raster) error {
	switch kind {
	case adapters.KindEvent:
		if r.Start.IsZero() || r.End.IsZero() {
			return adapters.Errorf(adapters.CodeInvalidItem, "%s: an event needs a start and an end", id)
		}
		if r.End.Before(r.Start) {
			return adapters.Errorf(adapters.CodeInvalidItem, "%s: end %s before start %s", id, r.End, r.Start)
		}
	case adapters.KindTask:
		if r.Due.IsZero() && r.Start.IsZero() {
			return adapters.Errorf(adapters.CodeInvalidItem, "%s: a task needs a due or start time", id)
		}
	default:
		return adapters.Errorf(adapters.CodeInvalidItem, "%s: a %s has no times to change", id, kind)
	}
	return nil
}
