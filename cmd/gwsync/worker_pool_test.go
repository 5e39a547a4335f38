package main

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// A worker's state pool fits its concurrency unless the DSN says
// otherwise, in both DSN forms, and pgx reads the result.
func TestWithWorkerPool(t *testing.T) {
	for _, c := range []struct {
		dsn  string
		conc int
		want int32
	}{
		{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", 8, 12},
		{"postgresql://u:p@127.0.0.1:5432/db", 2, 6},
		{"postgres://u:p@127.0.0.1:5432/db?pool_max_conns=3", 8, 3},
	} {
		got := withWorkerPool(c.dsn, c.conc)
		cfg, err := pgxpool.ParseConfig(got)
		if err != nil {
			t.Fatalf("%q -> %q: %v", c.dsn, got, err)
		}
		if cfg.MaxConns != c.want {
			t.Errorf("%q with concurrency %d: pool_max_conns %d, want %d (%q)", c.dsn, c.conc, cfg.MaxConns, c.want, got)
		}
		if cfg.ConnConfig.Password != "" && cfg.ConnConfig.Password != "p" {
			t.Errorf("%q: password changed to %q", c.dsn, cfg.ConnConfig.Password)
		}
	}
	for _, dsn := range []string{"state.db", "sqlite:data/state.db", "sqlite:///var/lib/gwsync/state.db"} {
		if got := withWorkerPool(dsn, 8); got != dsn {
			t.Errorf("SQLite state %q became %q", dsn, got)
		}
	}
}
