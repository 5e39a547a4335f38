// Package caldav is the CalDAV groupware source (`plugin: caldav`): events
// from calendars, tasks from task lists, on Nextcloud, SOGo, Radicale,
// Xandikos, Fastmail, iCloud and the like.
//
// Discovery goes from the configured URL (the server root or anything
// below it) to the current-user-principal, trying /.well-known/caldav and
// the root when the URL itself does not say, then to the calendar home set
// (go-webdav v0.6.0's client), then lists collections with their
// sync-token and ctag (davx). Objects map through adapters/icalendar with
// recurrence expanded inside the window.
//
// Item.ID is the object's path ("/alice/calendar/x.ics"), plus "#" and the
// RECURRENCE-ID ("#20270112T080000Z") for an occurrence or override of a
// recurring object. Item.Version is the ETag exactly as the server sent it.
//
// Snapshots are incremental: the cursor holds per collection the RFC 6578
// sync-token (or, for servers without sync-collection, the ctag) and the
// href → ETag map. A no-change resync costs one PROPFIND in all.
package caldav
