package crmsql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
)

func TestRegisteredAsSinkOnly(t *testing.T) {
	r, ok := adapters.Lookup("crmsql")
	if !ok {
		t.Fatal("crmsql is not registered")
	}
	if r.NewSink == nil || r.NewSource != nil {
		t.Fatalf("crmsql must be a sink only, got %s", r)
	}
}

func TestOptionErrors(t *testing.T) {
	for name, c := range map[string]struct{ opts, names string }{
		"missing dsn":           {`{}`, "dsn"},
		"no options":            {``, "dsn"},
		"empty path":            {`{"dsn": "sqlite:"}`, "dsn"},
		"memory":                {`{"dsn": ":memory:"}`, "dsn"},
		"unknown option":        {`{"dsn": "x.db", "create_contact": true}`, "create_contact"},
		"wrong type":            {`{"dsn": "x.db", "create_contacts": "yes"}`, "create_contacts"},
		"schema on sqlite":      {`{"dsn": "x.db", "schema": "crm"}`, "schema"},
		"schema not a name":     {`{"dsn": "postgres://h/db", "schema": "crm; DROP"}`, "schema"},
		"schema upper case":     {`{"dsn": "postgres://h/db", "schema": "Sales"}`, "schema"},
		"postgres dsn unusable": {`{"dsn": "postgres://u:pw@h:notaport/db"}`, "dsn"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := adapters.NewSink("crmsql", adapters.Config{Options: json.RawMessage(c.opts)})
			wantCode(t, err, adapters.CodeInvalidConfig)
			if !strings.Contains(err.Error(), c.names) {
				t.Fatalf("error %q does not name %q", err, c.names)
			}
		})
	}
}

func TestConstructorDoesNoIOAndFirstCallCreatesDirs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "crm.db")
	s, err := adapters.NewSink("crmsql", adapters.Config{Options: json.RawMessage(`{"dsn": "` + path + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("constructor touched the disk: %v", err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Name != "crmsql" || info.Version != "schema 5" || !info.Capabilities.ListChanges {
		t.Fatalf("Info = %+v", info)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("first call did not create the database: %v", err)
	}
}

func TestOpenFailsWithInvalidConfig(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := crmsql.OpenStore(context.Background(), "sqlite:"+filepath.Join(blocker, "crm.db"))
	wantCode(t, err, adapters.CodeInvalidConfig)
	if !strings.Contains(err.Error(), "dsn") {
		t.Fatalf("error %q does not name the option", err)
	}
}

func TestMigrationsAreVersionedAndAppliedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		ctx := context.Background()
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var latest int
		if _, err := fmt.Sscanf(info.Version, "schema %d", &latest); err != nil || latest < 1 {
			t.Fatalf("Info.Version = %q", info.Version)
		}
		upsertOne(t, s, meeting("ical:a"))
		s.Close()
		// Reopening must not re-run 0001 (it would fail on CREATE TABLE) nor lose data.
		again := openStore(t, path)
		all, err := again.AllActivities(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("after reopen: %d activities, %v", len(all), err)
		}
		again.Close()

		db := rawDB(t, path)
		var n, v int
		if err := db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if n != latest || v != latest {
			t.Fatalf("schema_migrations has %d rows, max version %d; want %d, %d", n, v, latest, latest)
		}
		mustExec(t, db, `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future')`)
		_, err = crmsql.OpenStore(ctx, path)
		wantCode(t, err, adapters.CodeInvalidConfig)
		if !strings.Contains(err.Error(), "99") {
			t.Fatalf("error %q does not name the schema version", err)
		}
	})
}

func TestFileNameWithQuestionMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#1.db")
	s := openStore(t, "sqlite:"+path)
	if err := s.AddContact(context.Background(), "A", "a@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
}

func TestCloseTwiceAndReuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		upsertOne(t, s, meeting("ical:a"))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if got := listAll(t, s, adapters.ActivityQuery{}); len(got) != 1 {
			t.Fatalf("after Close a call reopens the store; got %d activities", len(got))
		}
	})
}

func TestHelpers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		_, path := newSink(t, b, false)
		s := openStore(t, path)
		if err := s.AddContact(ctx, "Ann", "Ann@Example.com"); err != nil {
			t.Fatal(err)
		}
		if err := s.AddContact(ctx, "Ann again", "ann@example.COM"); err != nil {
			t.Fatalf("AddContact of a known e-mail must be harmless: %v", err)
		}
		wantCode(t, s.AddContact(ctx, "Bad", "not an address"), adapters.CodeInvalidItem)

		f := adapters.Activity{
			Type: adapters.TypeFollowUp, Subject: "call back",
			Raster: adapters.Raster{Start: utc("2026-12-04T00:00:00Z"), End: utc("2026-12-05T00:00:00Z"), AllDay: true},
			Owners: []string{"alice"}, Contacts: []string{"ann@example.com", "New Person <new@example.com>"},
		}
		got, err := s.CreateActivity(ctx, f)
		if err != nil {
			t.Fatalf("CreateActivity: %v", err)
		}
		if got.ID == "" || got.Version != "1" || got.Key != "" || got.Type != adapters.TypeFollowUp || !got.Raster.Equal(f.Raster) {
			t.Fatalf("CreateActivity = %+v", got)
		}
		if strings.Join(got.Contacts, ",") != "Ann@Example.com,new@example.com" {
			t.Fatalf("contacts = %v (existing one linked by e-mail, unknown one created)", got.Contacts)
		}
		_, err = s.CreateActivity(ctx, adapters.Activity{Type: "NOTE"})
		wantCode(t, err, adapters.CodeInvalidItem)

		db := rawDB(t, path)
		var extKey any
		if err := db.QueryRow(`SELECT ext_key FROM activities WHERE id = ?`, got.ID).Scan(&extKey); err != nil || extKey != nil {
			t.Fatalf("ext_key of a CRM-created activity = %v, %v; want NULL", extKey, err)
		}
		all, err := s.AllActivities(ctx)
		if err != nil || len(all) != 1 || all[0].ID != got.ID {
			t.Fatalf("AllActivities = %v, %v", all, err)
		}
	})
}
