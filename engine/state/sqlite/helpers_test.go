package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// openTest opens a fresh store in the test's temp dir and closes it at the end.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixedClock makes the store's clock return t.
func fixedClock(s *Store, t time.Time) { s.now = func() time.Time { return t } }

// collectLinks walks all links of a user into a map keyed by source/item.
func collectLinks(t testing.TB, s state.Store, user string) map[string]state.Link {
	t.Helper()
	out := map[string]state.Link{}
	if err := s.Links(context.Background(), user, func(l state.Link) error {
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
