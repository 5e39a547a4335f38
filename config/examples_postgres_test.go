package config

import (
	"path/filepath"
	"testing"
)

// examples/postgres.yaml loads (config check) with its password from the
// environment, and names a PostgreSQL state.
func TestPostgresExampleLoads(t *testing.T) {
	t.Setenv("GWSYNC_STATE_PASSWORD", "example-pw")
	c, err := Load(filepath.Join("..", "examples", "postgres.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := "postgres://gwsync:example-pw@127.0.0.1:5432/gwsync?sslmode=disable&pool_max_conns=8"
	if c.State != want {
		t.Errorf("State = %q, want %q", c.State, want)
	}
	if len(c.Users) != 1 || c.Users[0].ExportTo != "exports" {
		t.Errorf("users = %+v", c.Users)
	}
}
