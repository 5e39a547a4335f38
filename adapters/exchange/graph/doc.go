// Package graph is the Microsoft Graph half of the exchange adapter, for
// Exchange Online: mail from one folder (messages delta), events
// (calendarView delta over the sync window) and Microsoft To Do tasks
// (tasks delta per list), with delta links as the incremental cursor, time
// write-back with PATCH and If-Match, and export of CRM activities as busy
// events marked with a single-value extended property.
//
// It is a hand-written REST client over net/http: about a dozen endpoints,
// which an httptest fake (graphfake) can check call by call.
package graph
