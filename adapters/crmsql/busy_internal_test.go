package crmsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// A person holding a write transaction open in sqlite3 makes gwsync's
// writes Temporary (retry next run), not a hard failure.
func TestLockedDatabaseIsTemporary(t *testing.T) {
	old := busyTimeoutMillis
	busyTimeoutMillis = 100
	defer func() { busyTimeoutMillis = old }()

	path := filepath.Join(t.TempDir(), "crm.db")
	s, err := New(adapters.Config{Options: json.RawMessage(`{"dsn": "sqlite:` + path + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Info(ctx); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	_, err = s.Upsert(ctx, []adapters.Activity{{Type: adapters.TypeTask, Key: "ical:t"}})
	if adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Fatalf("Upsert on a locked database: %v (code %v), want Temporary", err, adapters.CodeOf(err))
	}
	_, err = s.UpdateTimes(ctx, []adapters.TimeChange{{ID: "1"}})
	if adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Fatalf("UpdateTimes on a locked database: %v, want Temporary", err)
	}
	// Readers are not blocked by a writer (WAL).
	if _, err := s.ListActivities(ctx, adapters.ActivityQuery{}, func(adapters.Activity) error { return nil }); err != nil {
		t.Fatalf("listing while another connection writes: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Upsert(ctx, []adapters.Activity{{Type: adapters.TypeTask, Key: "ical:t"}}); err != nil || !res[0].Created {
		t.Fatalf("after the lock is released: %+v, %v", res, err)
	}
}
