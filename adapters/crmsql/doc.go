// Package crmsql is the embedded CRM store: gwsync's default sink, a SQLite
// database (modernc.org/sqlite, pure Go) that a person can read and edit
// with the sqlite3 tool, or the same tables in PostgreSQL (pgx through
// database/sql) for deployments with several workers. The logic is one code
// path; what differs between the databases is in dialect.go, and each has
// its own numbered migrations (migrations/sqlite, migrations/postgres).
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
// `dsn` ("sqlite:PATH" or a bare path, or "postgres://...", required),
// `schema` (PostgreSQL: the schema holding the tables) and
// `create_contacts` (create a contact for an unknown address instead of
// leaving it unlinked). The constructor does no I/O; the first call opens
// the database (creating a file's parent directories, or connecting) and
// applies the embedded migrations.
package crmsql
