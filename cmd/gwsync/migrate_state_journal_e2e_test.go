package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// A SQLite state from a real sync of the quick start, moved with
// `gwsync migrate-state`, is the same state in PostgreSQL: a sync against
// it plans nothing new, the journal and cursors came along, and a second
// migration into the now non-empty database is refused.
func TestMigrateStateToPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "mail"), s.mail)
	s.mustRun(0, "sync", "--yes")
	created := len(s.activities())
	if created == 0 {
		t.Fatal("the quick start sync created no activities")
	}
	before := s.mustRun(0, "status").stdout

	r := s.mustRun(0, "migrate-state", "--from", "sqlite:"+filepath.Join(s.dir, "state.db"), "--to", dsn)
	if !strings.Contains(r.stdout, "copied 1 users") || strings.Contains(r.stdout, " 0 links") || strings.Contains(r.stdout, " 0 runs") {
		t.Fatalf("migrate-state printed:\n%s", r.stdout)
	}

	// The same site, now on the PostgreSQL state.
	cfg := strings.Replace(mustRead(t, s.config), "state: sqlite:./state.db", "state: "+dsn, 1)
	if err := os.WriteFile(s.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if after := s.mustRun(0, "status").stdout; after != before {
		t.Errorf("status differs after the move:\nSQLite:\n%s\nPostgreSQL:\n%s", before, after)
	}
	for _, a := range s.plan().Actions {
		if !a.IsReport() {
			t.Errorf("after the move the plan has %s %s/%s: the state did not come along", a.Kind, a.Source, a.ItemID)
		}
	}
	s.mustRun(0, "sync", "--yes")
	if n := len(s.activities()); n != created {
		t.Errorf("%d activities after a sync on the moved state, want the %d of before", n, created)
	}

	again := s.gwsync("migrate-state", "--from", "sqlite:"+filepath.Join(s.dir, "state.db"), "--to", dsn)
	if again.code != exitError || !strings.Contains(again.stderr, "already holds a state") {
		t.Fatalf("second migration: exit %d\n%s", again.code, again.stderr)
	}
	if strings.Contains(again.stderr, "secret") {
		t.Errorf("error shows the password: %s", again.stderr)
	}
	bad := s.gwsync("migrate-state", "--from", "state.db", "--to", dsn)
	if bad.code != exitUsage {
		t.Errorf("--from without sqlite: exit %d, want %d", bad.code, exitUsage)
	}
}
