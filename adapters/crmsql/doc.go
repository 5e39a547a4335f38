// Package crmsql is the embedded CRM store: gwsync's default sink, a SQLite
// database (modernc.org/sqlite, pure Go) that a person can read and edit
// with the sqlite3 tool.
//
// The tables are a stable, documented contract (docs/crm-schema.md): an
// edit made by any tool is picked up by the next sync, because a trigger
// bumps activities.version and updated_at whenever start_at, end_at, due_at
// or all_day change, whoever runs the UPDATE.
//
// On the wire Activity.ID is the integer activities.id and Activity.Version
// the integer activities.version, both as decimal strings. Times are stored
// as RFC 3339 text in UTC to the second ('2026-12-03T09:00:00Z') or NULL.
//
// The adapter is registered as "crmsql" (a sink only). Its options are
// `dsn` ("sqlite:PATH" or a bare path, required) and `create_contacts`
// (create a contact for an unknown address instead of leaving it unlinked).
// The constructor does no I/O; the first call opens the database, creating
// its parent directories, and applies the embedded migrations.
package crmsql
