// Package icalendar maps iCalendar (RFC 5545) text to gwsync items and back.
// It is shared by every adapter that reads .ics data: the CalDAV and files
// sources (both expand series through Parse with Expand) and Exchange.
//
// Three jobs, one file each:
//
//   - Parse turns a VCALENDAR into items (VEVENT → event, VTODO → task),
//     resolving TZIDs that go-ical cannot (Windows names from Exchange,
//     Mozilla-style prefixes, and as a last resort the file's own VTIMEZONE).
//   - PatchTimes rewrites only the time properties of one component in the
//     raw text, so every other byte a groupware client wrote survives a
//     write-back (folding, line endings, X- properties, VTIMEZONE).
//   - RenderExport writes a new VEVENT for a CRM activity.
//
// Recurrence is expanded on request (ParseOptions.Expand, recur.go):
// occurrences inside the window, keyed by UID and RECURRENCE-ID, with
// RRULE, RDATE (PERIOD ends included), EXDATE, overrides and RANGE=
// THISANDFUTURE honoured. Rules run on naive wall times and every instance
// is read in its zone by RFC 5545 3.3.5 (zone.go, resolveWall: the gap
// with the offset before it, the fold as its first occurrence); DURATION
// days are nominal (duration.go). Without Expand a recurring master is
// imported as its first occurrence, with a warning. PatchTimes on an
// occurrence writes an override (override.go), never moving the series.
//
// Parsing is liberal where no meaning is lost, with a warning naming the
// quirk (rule.go normalizeRule, uid.go, lines.go): lower-case RRULEs,
// stray ';', X- rule parts, INTERVAL=0, concatenated VCALENDARs, a
// component without UID, a negative DURATION.
//
// differential_test.go compares the expansion with Debian's
// recurring-ical-events over generated cases; accepted differences carry
// their RFC 5545 section in testdata/differential/accepted.tsv.
package icalendar
