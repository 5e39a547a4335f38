// Package davx is the small WebDAV/CalDAV layer gwsync adds next to
// go-webdav v0.6.0, for what that library lacks or gets wrong for a sync
// engine (see docs in the caldav adapter): manual redirect handling that
// keeps the method and body, retries with backoff, HTTP statuses as
// adapters error codes, a streaming multistatus decoder that keeps ETags
// verbatim (weak, unquoted), sync-collection (RFC 6578), calendar-query and
// chunked calendar-multiget, and conditional PUT.
//
// It imports net/http and encoding/xml only (plus the adapters error
// codes), so it stays usable by other DAV adapters.
package davx
