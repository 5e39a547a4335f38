package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/prefs"
)

// TestWorkerSchedulesAUserWhoTurnsAutomaticOnInPreferences: a user whose
// config says manual, but who may change automatic matching, is not synced
// by a `gwsync worker`'s schedule until they switch it on in their
// preferences (stored in the PostgreSQL state, as the web page does); then
// the next tick syncs them, and their mail is in the CRM.
func TestWorkerSchedulesAUserWhoTurnsAutomaticOnInPreferences(t *testing.T) {
	f := newFleet(t, 1, "")
	cfgText, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(cfgText), "serve: {interval: 1h}", "serve: {interval: 2s}", 1)
	text = strings.Replace(text, "    export_to: files\n", "    export_to: files\n    editable: [automatic_matching]\n", 1)
	if err := os.WriteFile(f.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	user := f.users[0]
	f.writeItems(user, []adapters.Item{{Kind: adapters.KindMessage, Key: "mid:prefs-1@example.org", Subject: "Order 1",
		From: "buyer@example.org", To: []string{user + "@example.com"}, Date: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}})
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	f.startWorker()
	schedules := func() (n int) {
		pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'sync_schedule' AND state = 'completed'`).Scan(&n)
		return n
	}
	syncs := func() (n int) {
		pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'sync_user' AND args->>'user' = $1`, user).Scan(&n)
		return n
	}
	waitUntil(t, "three schedule ticks", func() bool { return schedules() >= 3 })
	if n := syncs(); n != 0 {
		t.Fatalf("%d syncs of %s while automatic matching is off", n, user)
	}

	cfg, err := config.Load(f.config)
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := (&prefs.Service{Config: cfg, Store: st}).Save(ctx, user, user, map[string]string{config.EditAutomaticMatching: "true"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a scheduled sync", func() bool {
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'sync_user' AND args->>'user' = $1 AND state = 'completed'`, user).Scan(&n)
		return n >= 1
	})
	out := f.mustRun("activities", "--user", user)
	if !strings.Contains(out.stdout, "Order 1") {
		t.Errorf("the scheduled sync did not import the mail; activities:\n%s", out.stdout)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 90 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
