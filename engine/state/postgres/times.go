package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Times are stored as timestamptz holding whole seconds: the precision of
// every groupware format gwsync reads, and what the SQLite store keeps, so
// that a state moved from one to the other compares equal.

// second is t in UTC to the second.
func second(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// timeArg is the SQL value of t: NULL for the zero time ("not set").
func timeArg(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: second(t), Valid: true}
}

// timeOf reads a stored time back in UTC; NULL is the zero time.
func timeOf(v pgtype.Timestamptz) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return v.Time.UTC()
}

// checkTime rejects times outside years 0001–9999, as the SQLite store
// does: a state must be movable between the two.
func checkTime(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("time %s is outside years 0001-9999", t.UTC().Format(time.RFC3339))
	}
	return nil
}
