package crmsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for rawDB
)

// backend is a database crmsql runs on. Tests that are not about one
// database's own behaviour run on every backend (forEachBackend).
type backend struct {
	name string
	// newDSN makes an empty database and returns the dsn option naming it.
	newDSN func(t testing.TB) string
	// plusHour is the SQL a person would type to move a time column by an
	// hour, keeping the stored text format.
	plusHour func(column string) string
}

var backends = []backend{
	{
		name:     "sqlite",
		newDSN:   func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "crm.db") },
		plusHour: func(c string) string { return "strftime('%Y-%m-%dT%H:%M:%SZ', " + c + ", '+1 hour')" },
	},
	{
		// A database of its own per test on the suite's PostgreSQL server;
		// skipped without one, a failure where servers are required (CI).
		name:   "postgres",
		newDSN: func(t testing.TB) string { return pgtest.NewDatabase(t) },
		plusHour: func(c string) string {
			return "to_char((" + c + "::timestamptz + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		},
	},
}

// forEachBackend runs test once per backend, as subtests named after it.
func forEachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

// newSink builds a crmsql sink through the registry, as the engine does,
// on a fresh database of backend b, and returns it with the dsn.
func newSink(t *testing.T, b backend, createContacts bool) (adapters.Sink, string) {
	t.Helper()
	dsn := b.newDSN(t)
	opts, _ := json.Marshal(map[string]any{"dsn": dsn, "create_contacts": createContacts})
	s, err := adapters.NewSink("crmsql", adapters.Config{Name: "crm", Options: opts})
	if err != nil {
		t.Fatalf("NewSink: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// openStore opens a second *Store on the same database, as another
// process would.
func openStore(t *testing.T, dsn string) *crmsql.Store {
	t.Helper()
	s, err := crmsql.OpenStore(context.Background(), dsn)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawSQL is the database opened with the bare driver and no settings of
// ours: a person typing SQL into sqlite3 or psql. Statements are written
// with '?' placeholders, made $1, $2, ... for PostgreSQL.
type rawSQL struct {
	*sql.DB
	numbered bool
}

func (r *rawSQL) bind(q string) string {
	if !r.numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *rawSQL) QueryRow(q string, args ...any) *sql.Row { return r.DB.QueryRow(r.bind(q), args...) }

func (r *rawSQL) Exec(q string, args ...any) (sql.Result, error) {
	return r.DB.Exec(r.bind(q), args...)
}

// rawDB opens the database named by dsn (sqlite:PATH, a path or
// postgres://...) with the bare driver.
func rawDB(t *testing.T, dsn string) *rawSQL {
	t.Helper()
	var db *sql.DB
	var err error
	pg := strings.HasPrefix(dsn, "postgres")
	if pg {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(5000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &rawSQL{DB: db, numbered: pg}
}

func mustExec(t *testing.T, db *rawSQL, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func upsertOne(t *testing.T, s adapters.Sink, a adapters.Activity) adapters.UpsertResult {
	t.Helper()
	res, err := s.Upsert(context.Background(), []adapters.Activity{a})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("Upsert returned %d results, want 1", len(res))
	}
	if res[0].Err != nil {
		t.Fatalf("Upsert %s: %v", a.Key, res[0].Err)
	}
	return res[0]
}

func listAll(t *testing.T, s adapters.Sink, q adapters.ActivityQuery) []adapters.Activity {
	t.Helper()
	var out []adapters.Activity
	end, err := s.ListActivities(context.Background(), q, func(a adapters.Activity) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatalf("ListActivities: %v", err)
	}
	if end.Count != int64(len(out)) {
		t.Fatalf("ListEnd.Count = %d, emitted %d", end.Count, len(out))
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// meeting is a typical imported calendar entry.
func meeting(key string, owners ...string) adapters.Activity {
	return adapters.Activity{
		Type: adapters.TypeMeeting, Subject: "Review " + key, Body: "agenda", Location: "Room 1",
		Raster: adapters.Raster{Start: utc("2026-12-03T09:00:00Z"), End: utc("2026-12-03T10:00:00Z"), TimeZone: "Europe/Berlin"},
		Busy:   adapters.BusyBusy, Owners: owners, Key: key, Source: "work-calendar", SourceItem: key + ".ics",
	}
}

func wantCode(t *testing.T, err error, code adapters.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", code)
	}
	if got := adapters.CodeOf(err); got != code {
		t.Fatalf("got %v (%v), want %v", got, err, code)
	}
}

// latestMigration is the number of the last migration file of a dialect
// ("sqlite", "postgres"): what a migrated database's schema version is.
func latestMigration(t *testing.T, dialect string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("migrations", dialect))
	if err != nil || len(entries) == 0 {
		t.Fatalf("migrations/%s: %d files, %v", dialect, len(entries), err)
	}
	last := entries[len(entries)-1].Name()
	n, err := strconv.Atoi(last[:strings.IndexByte(last, '_')])
	if err != nil {
		t.Fatalf("migrations/%s/%s: %v", dialect, last, err)
	}
	return n
}
