package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// A SQLite state from a real sync of the quick start, moved with
// `gwsync migrate-state`, is the same state in PostgreSQL: a sync against
// it plans nothing new, the journal, cursors, preferences and their
// journal came along (also of a user who only has preferences), and a
// second migration into the now non-empty database is refused.
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
	prefsBefore := storePreferences(t, filepath.Join(s.dir, "state.db"))
	before := s.mustRun(0, "status").stdout
	if !strings.Contains(before, "preference") {
		t.Fatalf("status does not show the preference journal:\n%s", before)
	}

	r := s.mustRun(0, "migrate-state", "--from", "sqlite:"+filepath.Join(s.dir, "state.db"), "--to", dsn)
	if !strings.Contains(r.stdout, "copied 2 users") || strings.Contains(r.stdout, "sam: 0 links") || strings.Contains(r.stdout, " 0 runs") ||
		!strings.Contains(r.stdout, "pat: 0 links, 0 cursors, 0 outstanding failures, 1 preferences copied") || !strings.Contains(r.stdout, ", 2 preferences") {
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
	checkPreferencesMoved(t, dsn, prefsBefore)
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

// migratedPreferences is what a state holds of one user's preferences.
type migratedPreferences struct {
	Values  map[string]string
	Changes []state.PreferenceChange
}

// prefUsers are the users whose preferences the migration test stores:
// sam (who also synced) and pat, who has nothing but preferences.
var prefUsers = []string{"sam", "pat"}

// storePreferences stores preferences with a journal of several changes
// in the SQLite state at path and returns what it then holds.
func storePreferences(t *testing.T, path string) map[string]migratedPreferences {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, step := range []struct {
		user, by string
		values   map[string]string
	}{
		{"sam", "sam", map[string]string{"import_folder": "CRM", "automatic_matching": "true"}},
		{"sam", "sam", map[string]string{"import_folder": "CRM/2026", "automatic_matching": ""}},
		{"pat", "admin", map[string]string{"time_zone": "America/New_York"}},
	} {
		if _, err := st.SetUserPreferences(ctx, step.user, step.by, step.values); err != nil {
			t.Fatal(err)
		}
	}
	return readPreferences(t, st)
}

func readPreferences(t *testing.T, st state.Preferences) map[string]migratedPreferences {
	t.Helper()
	out := map[string]migratedPreferences{}
	for _, u := range prefUsers {
		v, err := st.UserPreferences(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.PreferenceChanges(context.Background(), u, 0)
		if err != nil {
			t.Fatal(err)
		}
		out[u] = migratedPreferences{v, c}
	}
	return out
}

// checkPreferencesMoved: the PostgreSQL state at dsn holds the same values
// and journal (ids, authors, times) as want, and a change made there
// afterwards is journalled after the copied ones.
func checkPreferencesMoved(t *testing.T, dsn string, want map[string]migratedPreferences) {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := len(want["sam"].Changes); n != 4 || want["sam"].Values["import_folder"] != "CRM/2026" || len(want["pat"].Changes) != 1 {
		t.Fatalf("the SQLite state holds an unexpected journal: %+v", want)
	}
	if got := readPreferences(t, st); !reflect.DeepEqual(got, want) {
		t.Errorf("preferences after the move:\n%+v\nwant\n%+v", got, want)
	}
	ch, err := st.SetUserPreferences(ctx, "sam", "sam", map[string]string{"import_folder": "CRM/2027"})
	if err != nil {
		t.Fatalf("a change after the move: %v", err)
	}
	if newest := want["sam"].Changes[0]; len(ch) != 1 || ch[0].ID <= newest.ID || ch[0].At.Before(newest.At.Add(-time.Second)) {
		t.Errorf("the change after the move %+v does not follow the copied %+v", ch, newest)
	}
}
