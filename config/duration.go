package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
	year = 365 * day // a window is a rough span; leap days do not matter
)

// units maps every accepted suffix to its length. Longer suffixes are
// tried first so that "ms" is not read as "m".
var units = []struct {
	suffix string
	d      time.Duration
}{
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond},
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute},
	{"h", time.Hour}, {"d", day}, {"w", week}, {"y", year},
}

var errDurationSyntax = errors.New("not a duration (use e.g. 30d, 2w, 1y, 12h, 90m)")

// parseDuration reads a window length: Go durations ("12h", "90m",
// "1h30m") extended with d (day), w (week) and y (365 days), which Go
// lacks and windows need. Parts may be combined ("1y6w"). "0" is zero.
// Errors: syntax, a negative value, or a length beyond time.Duration.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, errDurationSyntax
	}
	if strings.HasPrefix(s, "-") {
		return 0, errors.New("must not be negative")
	}
	var total float64
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		num, err := strconv.ParseFloat(rest[:i], 64)
		if i == 0 || err != nil {
			return 0, errDurationSyntax
		}
		rest = rest[i:]
		unit, ok := cutUnit(&rest)
		if !ok {
			return 0, errDurationSyntax
		}
		total += num * float64(unit)
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("too long (at most %dy)", int64(math.MaxInt64)/int64(year))
	}
	return time.Duration(total), nil
}

// cutUnit removes the longest unit suffix at the start of *s.
func cutUnit(s *string) (time.Duration, bool) {
	var best string
	var bestD time.Duration
	for _, u := range units {
		if strings.HasPrefix(*s, u.suffix) && len(u.suffix) > len(best) {
			best, bestD = u.suffix, u.d
		}
	}
	if best == "" {
		return 0, false
	}
	*s = (*s)[len(best):]
	return bestD, true
}

// formatDuration writes whole days as "30d" (what users write) and
// anything else in Go notation.
func formatDuration(d time.Duration) string {
	if d != 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// ParseDuration reads a duration in the YAML notation ("30d", "2w",
// "90m"); package prefs reads a user's stored window with it.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }

// FormatDuration writes d in the YAML notation ParseDuration reads.
func FormatDuration(d time.Duration) string { return formatDuration(d) }
