package crmsql

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// A connection keeps the plans of its statements, and of the triggers'
// statements, for as long as it lives, and a plan made while the tables
// were new and had no statistics must still find rows by index once they
// are large: neither imports nor one owner's change listing scan all of
// activities, whatever plans PostgreSQL cached.
func TestPostgresPlansNeedNoStatistics(t *testing.T) {
	ctx := context.Background()
	s := newPostgresStore(t)
	db, err := s.conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: the plan cached below is the one used after
	// The generic plan at once, made now on empty tables, as a busy
	// connection ends up with after its first listings.
	if _, err := db.ExecContext(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	list := func(owner string) int {
		n := 0
		if _, err := s.ListChanges(ctx, adapters.ChangeQuery{Owner: owner}, func(adapters.Activity) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	seqScans := func() int64 {
		t.Helper()
		// This session's counts reach the statistics at its next
		// transaction's end; then read them afresh.
		var n int64
		for _, q := range []string{`SELECT pg_stat_force_next_flush()`, `SELECT pg_stat_clear_snapshot()`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.QueryRowContext(ctx, `SELECT sum(seq_scan) FROM pg_stat_user_tables WHERE relname IN ('activities', 'activity_owners')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	list("user0")
	before := seqScans()
	for u := 0; u < 50; u++ {
		batch := make([]adapters.Activity, 40)
		for i := range batch {
			batch[i] = adapters.Activity{Type: adapters.TypeMailIn, Key: fmt.Sprintf("mid:<%d@u%d>", i, u), Subject: "hello",
				Raster: adapters.Raster{Start: time.Date(2026, 12, 1, 9, i, 0, 0, time.UTC)}, Owners: []string{fmt.Sprintf("user%d", u)}}
		}
		if _, err := s.Upsert(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// The same mails in a second mailbox: owners added to existing
		// activities, which renumbers them (the owner triggers).
		for i := range batch {
			batch[i].Owners = []string{"shared"}
		}
		if _, err := s.Upsert(ctx, batch[:5]); err != nil {
			t.Fatal(err)
		}
	}
	if got := list("user7"); got != 40 {
		t.Fatalf("user7's listing has %d activities, want 40", got)
	}
	if got := list("shared"); got != 250 {
		t.Fatalf("the shared mailbox's listing has %d activities, want 250", got)
	}
	if after := seqScans(); after != before {
		t.Fatalf("importing and listing scanned all of activities or activity_owners %d times: a cached plan depends on statistics", after-before)
	}
}

// crmsql's PostgreSQL connections keep one plan per statement
// (genericPlans), unless the DSN names another plan_cache_mode.
func TestPostgresConnectionsKeepOnePlanUnlessTheDSNSays(t *testing.T) {
	ctx := context.Background()
	mode := func(dsn string) string {
		t.Helper()
		s, err := New(adapters.Config{Options: []byte(`{"dsn": "` + dsn + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		db, err := s.conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m string
		if err := db.QueryRowContext(ctx, `SHOW plan_cache_mode`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	dsn := pgtest.NewDatabase(t)
	if m := mode(dsn); m != "force_generic_plan" {
		t.Errorf("plan_cache_mode = %q, want force_generic_plan", m)
	}
	if m := mode(dsn + "&plan_cache_mode=auto"); m != "auto" {
		t.Errorf("with plan_cache_mode=auto in the DSN: %q", m)
	}
}
