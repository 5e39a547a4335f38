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
// Snapshots are incremental. A full one is one calendar-query per
// collection and takes no token; the next run takes the RFC 6578
// sync-token with an initial sync-collection and diffs its ETags against
// the cursor's href → ETag map (servers without sync-collection: a ctag
// check and ETag listing). A no-change resync then costs the collection
// PROPFIND plus one REPORT per collection. Every snapshot logs its HTTP
// request count at info level ("caldav snapshot … requests=N").
package caldav
