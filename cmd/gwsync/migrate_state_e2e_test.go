package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// An embedded deployment moves to PostgreSQL: synced on SQLite, its state
// copied with migrate-state, a sync on PostgreSQL then creates nothing
// again, and a second migration into the now non-empty state is refused.
func TestMigrateStateFromSQLiteToPostgres(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "mail"), s.mail)
	s.mustRun(exitOK, "sync", "--yes")
	before := len(s.activities())
	if before == 0 {
		t.Fatal("the SQLite sync imported nothing")
	}

	cfg, err := os.ReadFile(s.config)
	if err != nil {
		t.Fatal(err)
	}
	pgConfig := strings.Replace(string(cfg), "state: sqlite:./state.db", "state: "+pgtest.NewDatabase(t), 1)
	if err := os.WriteFile(s.config, []byte(pgConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.mustRun(exitOK, "migrate-state", "--from", "sqlite:"+filepath.Join(s.dir, "state.db"))
	if !strings.Contains(r.stdout, "sam: ") || strings.Contains(r.stdout, "sam: 0 links") {
		t.Fatalf("migrate-state copied no links:\n%s", r.stdout)
	}
	r = s.mustRun(exitOK, "sync", "--yes", "--json")
	if created := countOf(t, r.stdout, "create"); created != 0 {
		t.Fatalf("after the migration, sync created %d again:\n%s", created, r.stdout)
	}
	if after := len(s.activities()); after != before {
		t.Fatalf("%d activities after the migration, %d before", after, before)
	}
	r = s.mustRun(exitError, "migrate-state", "--from", "sqlite:"+filepath.Join(s.dir, "state.db"))
	if !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("second migration not refused as not empty:\n%s", r.stderr)
	}
}
