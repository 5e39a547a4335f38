package crmsql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gwsync/gwsync/adapters"
)

// This file holds every difference between the two databases crmsql runs
// on; the rest of the package is one code path. Statements elsewhere are
// written once, with '?' placeholders and syntax both databases accept
// (INSERT ... ON CONFLICT DO NOTHING, RETURNING, CAST(... AS TEXT)); what
// cannot be written once is a field here.

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	// name is "sqlite" or "postgres"; it also names the migrations folder.
	name string
	// numberedParams: placeholders are $1, $2, ... instead of '?'.
	numberedParams bool
	// ownersJSON, contactsJSON and attachmentsJSON are the subqueries of
	// activitySelect that read activity a's related rows as JSON arrays
	// (text), in the order they were added.
	ownersJSON, contactsJSON, attachmentsJSON string
	// contactByEmail selects (id, email) of the contact with the e-mail
	// given as the one parameter, compared case-insensitively for ASCII
	// letters only (SQLite's NOCASE), so both databases match alike.
	contactByEmail string
	// contactsByEmails selects (id, email) of the contacts with any of n
	// e-mails given as parameters, compared as contactByEmail does.
	contactsByEmails func(n int) string
	// contactsByFoldedEmails, when set, is used instead: it selects (id,
	// email) of the contacts whose folded e-mail (nocaseKey) is in its one
	// parameter, an array. One statement text and one cheap plan for any
	// number of addresses: PostgreSQL planned the 64-parameter IN list
	// anew on every call, ten times the cost of running it.
	contactsByFoldedEmails string
	// migrationsTable creates schema_migrations if it is missing.
	migrationsTable string
	// cleanText: the database refuses some text SQLite stores (PostgreSQL:
	// NUL and invalid UTF-8), so it is replaced before writing.
	cleanText bool
	// changeCounter reads the highest change number handed out so far.
	changeCounter string
	// changeHorizon, when set, reads the highest number at or below which
	// every change is visible to the statement's snapshot (PostgreSQL,
	// 0005: changes numbered by their transaction). Without it that is
	// the counter: one writer at a time, which numbers and commits in
	// order (SQLite).
	changeHorizon string
	// ownerChanges is true where activity_owners carries its activity's
	// change_seq under an (owner, change_seq) index (PostgreSQL, its
	// migration 0004), so that one owner's changes are read without
	// walking everybody's.
	ownerChanges bool
	// raiseCounter, when set, sets the change counter to its one
	// parameter: Upsert then numbers its new activities itself, above the
	// counter it read, and raises the counter past them before it commits
	// (SQLite, migration 0005: one writer at a time). Without it the
	// database numbers every inserted row (PostgreSQL's BEFORE trigger,
	// which costs no second write of the row).
	raiseCounter string
	// cachesStatements: the driver keeps each connection's statements
	// prepared (pgx's default QueryExecModeCacheStatement), so batchTx
	// runs queries as they are instead of preparing them per transaction.
	cachesStatements bool
	// insertInOneStatement: Upsert's new activities, owners, contact
	// links and attachments go in with one statement (pgInsertNew:
	// PostgreSQL's data-modifying CTEs) instead of one per table.
	insertInOneStatement bool
}

var sqliteDialect = &dialect{
	name:          "sqlite",
	changeCounter: `SELECT last FROM change_counter`,
	raiseCounter:  `UPDATE change_counter SET last = ? WHERE last < ?`,
	ownersJSON: `(SELECT json_group_array(owner) FROM
           (SELECT owner FROM activity_owners WHERE activity_id = a.id ORDER BY rowid))`,
	contactsJSON: `(SELECT json_group_array(email) FROM
           (SELECT c.email FROM activity_contacts ac JOIN contacts c ON c.id = ac.contact_id
             WHERE ac.activity_id = a.id ORDER BY ac.rowid))`,
	// "data IS NULL" is answered from the record header (SQLite does not
	// load a value to test it for NULL).
	attachmentsJSON: `(SELECT json_group_array(json_object('name', name, 'type', type, 'size', size, 'stored', json(stored))) FROM
           (SELECT name, type, size, CASE WHEN data IS NULL THEN 'false' ELSE 'true' END AS stored
              FROM attachments WHERE activity_id = a.id ORDER BY id))`,
	contactByEmail: `SELECT id, email FROM contacts WHERE email = ?`, // the column is COLLATE NOCASE
	contactsByEmails: func(n int) string {
		return `SELECT id, email FROM contacts WHERE email IN (` + placeholders(n, "?") + `)` // IN compares with the column's NOCASE
	},
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))`,
}

// pgNocase folds ASCII letters only, as SQLite's NOCASE does; the unique
// index contacts_email_nocase is on this expression (0001_initial.sql).
const pgNocase = `translate(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`

var postgresDialect = &dialect{
	name: "postgres",
	// Numbers handed out are below the next transaction id (xmax) plus
	// the offset; transactions below xmin have all ended
	// (0005_change_numbers_from_transactions.sql).
	changeCounter:  `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint + activity_change_offset() - 1`,
	changeHorizon:  `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint + activity_change_offset() - 1`,
	ownerChanges:   true,
	numberedParams: true,
	// PostgreSQL has no rowid: the link tables carry a seq identity column.
	ownersJSON: `COALESCE((SELECT json_agg(o.owner ORDER BY o.seq) FROM activity_owners o
	     WHERE o.activity_id = a.id), '[]')::text`,
	contactsJSON: `COALESCE((SELECT json_agg(c.email ORDER BY ac.seq) FROM activity_contacts ac
	     JOIN contacts c ON c.id = ac.contact_id WHERE ac.activity_id = a.id), '[]')::text`,
	// A NULL test reads the tuple's null bitmap, never the (TOASTed) value.
	attachmentsJSON: `COALESCE((SELECT json_agg(json_build_object('name', f.name, 'type', f.type, 'size', f.size,
	     'stored', f.data IS NOT NULL) ORDER BY f.id) FROM attachments f WHERE f.activity_id = a.id), '[]')::text`,
	contactByEmail: `SELECT id, email FROM contacts WHERE ` + strings.Replace(pgNocase, "%s", "email", 1) +
		` = ` + strings.Replace(pgNocase, "%s", "?", 1),
	contactsByFoldedEmails: `SELECT id, email FROM contacts WHERE ` + strings.Replace(pgNocase, "%s", "email", 1) + ` = ANY (?::text[])`,
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at text NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`,
	cleanText:            true,
	cachesStatements:     true,
	insertInOneStatement: true,
}

// bind rewrites a statement written with '?' placeholders for the
// database: PostgreSQL wants $1, $2, ... A '?' inside a quoted literal or
// identifier is left alone.
func (d *dialect) bind(query string) string {
	if !d.numberedParams || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte // ' or " while inside a quoted literal or identifier
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// clean returns a with every text the database would refuse made
// storable: NUL and invalid UTF-8 become U+FFFD on PostgreSQL (its text
// type cannot hold them, and one such e-mail would fail the whole batch).
// On SQLite, and for text that is fine already, a is returned as it is.
func (d *dialect) clean(a adapters.Activity) adapters.Activity {
	if !d.cleanText {
		return a
	}
	a.Type = adapters.ActivityType(cleanString(string(a.Type)))
	a.Subject, a.Body, a.Location = cleanString(a.Subject), cleanString(a.Body), cleanString(a.Location)
	a.Key, a.Source, a.SourceItem = cleanString(a.Key), cleanString(a.Source), cleanString(a.SourceItem)
	a.Raster.TimeZone = cleanString(a.Raster.TimeZone)
	a.Owners = cleanStrings(a.Owners)
	a.Contacts = cleanStrings(a.Contacts)
	if needsCleaning(a.Attachments) {
		files := make([]adapters.Attachment, len(a.Attachments))
		for i, f := range a.Attachments {
			f.Name, f.Type = cleanString(f.Name), cleanString(f.Type)
			files[i] = f
		}
		a.Attachments = files
	}
	return a
}

func needsCleaning(files []adapters.Attachment) bool {
	for _, f := range files {
		if cleanString(f.Name) != f.Name || cleanString(f.Type) != f.Type {
			return true
		}
	}
	return false
}

func cleanString(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// cleanStrings cleans a list, copying it only when something changes (the
// caller's slice is never modified).
func cleanStrings(list []string) []string {
	for i, s := range list {
		if c := cleanString(s); c != s {
			out := append([]string(nil), list...)
			for j := i; j < len(out); j++ {
				out[j] = cleanString(out[j])
			}
			return out
		}
	}
	return list
}

// placeholders is n copies of one, comma separated: "?, ?, ?".
func placeholders(n int, one string) string {
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}
