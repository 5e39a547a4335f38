package state

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// openTest opens a fresh store in the test's temp dir and closes it at the end.
func openTest(t testing.TB) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixedClock makes the store's clock return t.
func fixedClock(s *SQLite, t time.Time) { s.now = func() time.Time { return t } }

// collectLinks walks all links of a user into a map keyed by source/item.
func collectLinks(t testing.TB, s Store, user string) map[string]Link {
	t.Helper()
	out := map[string]Link{}
	if err := s.Links(context.Background(), user, func(l Link) error {
		out[l.Source+"/"+l.ItemID] = l
		return nil
	}); err != nil {
		t.Fatalf("Links(%q): %v", user, err)
	}
	return out
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
