package icalendar

// Bounds that keep one hostile item from holding a sync. Every recurrence
// and time-zone expansion is bounded in work (candidate periods, candidate
// times and search steps, counted by the iterator in internal/rrule), not
// only in the matches it returns: a rule that never matches produces no
// match to count. An item that hits a bound is imported with a warning, or
// comes back Unreadable naming its UID when nothing sensible is left.
const (
	// DefaultMaxOccurrences caps the occurrences one recurring component
	// expands to when ParseOptions.MaxOccurrences is zero: enough for a
	// daily meeting over a few years, small enough that FREQ=SECONDLY
	// cannot exhaust memory.
	DefaultMaxOccurrences = 1000

	// ruleBudget is the work one component's RRULEs may spend (all its
	// RRULE lines together): a few tens of milliseconds.
	ruleBudget = 200_000

	// maxRuleBytes refuses an RRULE value longer than this; every valid
	// BYxxx list, written out in full, fits.
	maxRuleBytes = 8192

	// maxTZIDBytes: a longer TZID names no zone (real ones, Outlook's
	// display names included, stay under 100 bytes). It is read as unknown.
	maxTZIDBytes = 256

	// maxObservances and maxZoneRDates bound the size of one VTIMEZONE
	// (a full-history zone has a few dozen observances); a larger one is
	// not used.
	maxObservances = 500
	maxZoneRDates  = 10_000

	// zoneBudget is the work one VTIMEZONE's rules may spend over a whole
	// file. Rules are expanded only around the years asked for, so a
	// yearly rule costs a few units a year.
	zoneBudget = 500_000
)
