package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/plugins"
)

// Openers sharing a plugins.Pool sync several users one after the other
// (as a worker does) with one files process and one crmsql process in
// all (crmsql out of process as its entry says; it runs in process by
// default), and every user's items reach the CRM as their own.
func TestOpenersShareAPluginPool(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	users := []string{"ann", "ben", "cid"}
	var yaml strings.Builder
	fmt.Fprintf(&yaml, `state: sqlite:./state.db
crm: {plugin: crmsql, in_process: false, options: {dsn: "sqlite:./crm.db", create_contacts: true}}
defaults: {window: {past: 10y, future: 10y}, conflict: newest-wins, time_zone: Europe/Berlin}
users:
`)
	for _, u := range users {
		cal := filepath.Join(dir, u, "calendar")
		copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), cal)
		fmt.Fprintf(&yaml, "  - {name: %s, email: %s@example.com, sources: [{name: cal, plugin: files, options: {calendar_dir: ./%s/calendar}}]}\n", u, u, u)
	}
	file := filepath.Join(dir, "gwsync.yaml")
	if err := os.WriteFile(file, []byte(yaml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openState(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	pool := plugins.NewPool(plugins.PoolOptions{})
	defer pool.Close()
	for _, u := range cfg.Users {
		op := &opener{cfg: cfg, logger: hclog.NewNullLogger(), pool: pool}
		crm, err := op.sink(ctx)
		if err != nil {
			t.Fatal(err)
		}
		job, err := op.job(ctx, &u, crm)
		if err != nil {
			t.Fatal(err)
		}
		_, res, err := engine.Sync(ctx, st, job)
		op.close()
		if err != nil || res.Status != "ok" || res.Counts["create"] == 0 {
			t.Fatalf("%s: %+v %v", u.Name, res, err)
		}
	}
	if s := pool.Stats(); s.Started != 2 || s.Instances != 0 {
		t.Fatalf("pool after %d users: %+v, want 2 processes started (files, crmsql) and no instance left", len(users), s)
	}

	// Each user's activities are in the CRM, owned by that user.
	op := &opener{cfg: cfg, logger: hclog.NewNullLogger(), pool: pool}
	defer op.close()
	crm, err := op.sink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range cfg.Users {
		end, err := crm.ListActivities(ctx, adapters.ActivityQuery{Owner: u.Name}, func(adapters.Activity) error { return nil })
		if err != nil || end.Count == 0 {
			t.Fatalf("%s owns %d activities (%v)", u.Name, end.Count, err)
		}
	}
}
