// Package icalendar maps iCalendar (RFC 5545) text to gwsync items and back.
// It is shared by every adapter that reads .ics data: the files source
// today, the CalDAV source later.
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
// RRULE, RDATE, EXDATE and overrides honoured. Without it a recurring
// master is imported as its first occurrence, with a warning. PatchTimes
// on an occurrence writes an override (override.go), never moving the
// series.
package icalendar
