package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// timeLayout is how every time is stored: RFC 3339 in UTC with whole
// seconds. Fixed width, so comparing the text compares the instants, and
// whole seconds are the precision of every groupware format gwsync reads.
const timeLayout = "2006-01-02T15:04:05Z"

// formatTime renders t in timeLayout.
func formatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(timeLayout) }

// timeArg is the SQL value of t: NULL for the zero time ("not set").
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// checkTime rejects times that timeLayout cannot hold (years outside
// 0001–9999): they would be written fine but fail to parse on the way back,
// turning a bad input into a store that cannot be read.
func checkTime(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("time %s is outside years 0001-9999", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// parseTime reads a stored time; NULL is the zero time. Any RFC 3339 text is
// accepted (someone may have edited the file by hand) and returned in UTC.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time %q: %w", s.String, err)
	}
	return t.UTC(), nil
}
