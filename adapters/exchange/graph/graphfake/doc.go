// Package graphfake is an in-process fake of the Microsoft Graph endpoints
// the exchange adapter uses, built from the request and response shapes in
// the Graph v1.0 reference: the v2.0 token and device-code endpoints, mail
// folders, messages delta, calendarView and calendarView delta, events
// (create, PATCH with If-Match, lookup by single-value extended property),
// To Do lists and tasks delta.
//
// It checks what the client sends (method, path, query, Authorization,
// If-Match, Content-Type, the fields of PATCH and POST bodies) and fails
// the test on anything unexpected, besides answering it with an error as
// Graph would. Faults are injected by method: Throttle (429 + Retry-After),
// FailNext (5xx), ExpireDeltaTokens (410 syncStateNotFound), Revoke
// (invalid_grant and 401).
//
// It listens on 127.0.0.1 only, and is reachable from a plugin child
// process by URL.
package graphfake
