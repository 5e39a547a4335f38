package crmsql

import (
	"fmt"
	"strings"
	"time"
)

// storedTimeLayout is how every time is written: RFC 3339 in UTC to the
// second, which sorts as text and is what a person expects to type.
const storedTimeLayout = "2006-01-02T15:04:05Z"

// timeText is the column value for t: NULL for the zero time, else the
// UTC instant truncated to the second (the precision of every groupware
// format gwsync reads, so nothing is lost that could be synced).
func timeText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Second).Format(storedTimeLayout)
}

// readableTimeLayouts are what a person may have typed with sqlite3 besides
// our own layout: any RFC 3339 offset, SQLite's datetime() output (UTC by
// SQLite's own convention) and a bare date (midnight UTC, for all-day rows).
var readableTimeLayouts = []string{
	time.RFC3339,
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTimeText reads a time column. NULL and ” mean "not set". The error
// names the activity and the column, because it ends up in a report that
// a person must act on ("activity 42: start_at ...").
func parseTimeText(activityID int64, column string, v *string) (time.Time, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return time.Time{}, nil
	}
	s := strings.TrimSpace(*v)
	for _, layout := range readableTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("activity %d: column %s holds %q, not a time (want RFC 3339 UTC like 2026-12-03T09:00:00Z)", activityID, column, s)
}
