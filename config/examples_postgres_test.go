package config

import (
	"path/filepath"
	"testing"
)

// examples/postgres.yaml loads (config check) with its DSN from the
// environment, for the state and the CRM alike.
func TestPostgresExampleLoads(t *testing.T) {
	const dsn = "postgres://gwsync:example-pw@127.0.0.1:5432/gwsync?sslmode=disable&pool_max_conns=8"
	t.Setenv("GWSYNC_STATE_DSN", dsn)
	c, err := Load(filepath.Join("..", "examples", "postgres.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.State != dsn {
		t.Errorf("State = %q, want %q", c.State, dsn)
	}
	if len(c.Users) != 1 || c.Users[0].ExportTo != "exports" {
		t.Errorf("users = %+v", c.Users)
	}
}
