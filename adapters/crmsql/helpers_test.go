package crmsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
)

// newSink builds a crmsql sink through the registry, as the engine does,
// on a fresh file in a temp dir, and returns it with the file's path.
func newSink(t *testing.T, createContacts bool) (adapters.Sink, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crm.db")
	opts, _ := json.Marshal(map[string]any{"dsn": "sqlite:" + path, "create_contacts": createContacts})
	s, err := adapters.NewSink("crmsql", adapters.Config{Name: "crm", Options: opts})
	if err != nil {
		t.Fatalf("NewSink: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// openStore opens a second *Store on the same file, as another process would.
func openStore(t *testing.T, path string) *crmsql.Store {
	t.Helper()
	s, err := crmsql.OpenStore(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawDB opens the file with the bare driver and no settings of ours: this
// is a person typing SQL into sqlite3.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
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
