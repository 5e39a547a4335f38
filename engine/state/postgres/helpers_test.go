package postgres

import (
	"context"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// openTest opens a store on a new database of the test server and closes
// it at the end of the test.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
