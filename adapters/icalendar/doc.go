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
// Recurrence is not expanded yet: a recurring master is imported as its
// first occurrence, with a warning.
package icalendar
