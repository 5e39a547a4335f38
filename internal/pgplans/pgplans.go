// Package pgplans sets how gwsync's PostgreSQL connections plan their
// prepared statements.
package pgplans

import "github.com/jackc/pgx/v5"

// Generic makes the connections c configures reuse one plan per prepared
// statement (plan_cache_mode = force_generic_plan), unless the DSN chose a
// plan_cache_mode of its own.
//
// gwsync's statements (and River's, which share the state's pool) look
// rows up through an index whatever their parameters, so a plan made for
// the values at hand is no better than the shared one. But PostgreSQL's
// default (auto) kept making a new plan on every call for some of them,
// where its estimate for the values came out a little cheaper than the
// shared plan's, and switched between the two from run to run. In the scale
// benchmark's no-change cycle that was about 0.2 ms of PostgreSQL's CPU per
// user (pg_stat_statements with track_planning): the state's link look-up
// by activity was planned on every call (0.12 ms to plan, 0.04 ms to run),
// River's fetch on 2 calls in 5 (0.37 ms a time), and in some runs the
// CRM's change listing on every call (0.06 ms).
func Generic(c *pgx.ConnConfig) {
	if _, set := c.RuntimeParams["plan_cache_mode"]; !set {
		c.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
}
