package main

import (
	"flag"
	"time"

	"github.com/gwsync/gwsync/config"
)

// The one time zone rule of the command line, the web client's too: times
// are shown in the user's zone, which is the user's effective time_zone
// (the config's, or the one the user chose on the web client's
// preferences page: effectiveUser), or in UTC when --utc asks for it.
// JSON output is always RFC 3339 with its offset, whatever the zone.

// utcFlag adds --utc to a command that prints times.
func utcFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("utc", false, "print times in UTC instead of the user's time zone")
}

// userLocation is where u's times are shown; UTC with --utc, or when the
// zone cannot be loaded (the config and prefs check it, so only a
// machine without that zone's data gets here).
func userLocation(u *config.User, utc bool) *time.Location {
	if utc || u == nil || u.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// stampIn writes t in loc to the second, with its zone: "Z" for UTC, the
// abbreviation otherwise ("2027-01-14 10:00:00 CET").
func stampIn(t time.Time, loc *time.Location) string {
	if loc == nil || loc == time.UTC {
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}
