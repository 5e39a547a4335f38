package pgplans

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestGenericUnlessTheDSNChose(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u@127.0.0.1/db":                                  "force_generic_plan",
		"postgres://u@127.0.0.1/db?plan_cache_mode=auto":             "auto",
		"host=127.0.0.1 dbname=db plan_cache_mode=force_custom_plan": "force_custom_plan",
	} {
		c, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		Generic(c)
		if got := c.RuntimeParams["plan_cache_mode"]; got != want {
			t.Errorf("%s: plan_cache_mode = %q, want %q", dsn, got, want)
		}
	}
}
