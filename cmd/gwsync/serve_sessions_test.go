package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state/stores"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

func TestKeygenWritesTheKeyServeLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.key")
	if err := runKeygen(context.Background(), []string{"--out", path}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %04o, want 0600", perm)
	}
	before, _ := os.ReadFile(path)
	if err := runKeygen(context.Background(), []string{"--out", path}); err == nil {
		t.Error("keygen overwrote an existing key file")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused keygen changed the key file")
	}
	cfg := &config.Config{File: "gwsync.yaml", State: "sqlite:" + filepath.Join(t.TempDir(), "state.db"),
		Serve: config.Serve{SecretKeyFile: path}}
	store, keys, closeFn, err := webSessions(context.Background(), cfg, nil, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if store != nil {
		t.Errorf("a SQLite deployment got a shared session store %T", store)
	}
	want, err := secretbox.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if keys == nil || !bytes.Equal(keys.Key("csrf"), want.Key("csrf")) {
		t.Error("serve does not sign with the key file's csrf key")
	}
	if err := runKeygen(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("keygen without --out: %v", err)
	}
}

func TestServeKeyFileErrorsNameConfigKeyAndFile(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "readable.key")
	if err := secretbox.GenerateKeyFile(open); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{filepath.Join(dir, "missing.key"): "missing.key", open: "chmod 600"} {
		cfg := &config.Config{File: "gwsync.yaml", State: "sqlite:" + filepath.Join(dir, "state.db"), Serve: config.Serve{SecretKeyFile: path}}
		_, _, _, err := webSessions(context.Background(), cfg, nil, hclog.NewNullLogger())
		if err == nil || !strings.Contains(err.Error(), "gwsync.yaml: serve.secret_key_file") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming the config key and %q", path, err, want)
		}
	}
}

func TestServeOnPostgresKeepsSessionsInTheDatabase(t *testing.T) {
	var logs bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Warn})
	dsn := pgtest.NewDatabase(t)
	cfg := &config.Config{File: "gwsync.yaml", State: dsn}
	store, keys, closeFn, err := webSessions(context.Background(), cfg, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if store == nil || !store.Shared() || keys == nil {
		t.Fatalf("a PostgreSQL deployment got store %T (keys %v), want the shared one", store, keys != nil)
	}
	if n, err := store.CountSessions(context.Background()); err != nil || n != 0 {
		t.Errorf("new session store: %d sessions, %v", n, err)
	}
	if !strings.Contains(logs.String(), "serve.secret_key_file is not set") {
		t.Errorf("no warning about the missing key file:\n%s", logs.String())
	}
	logs.Reset()
	cfg.Serve.SecretKeyFile = filepath.Join(t.TempDir(), "web.key")
	if err := secretbox.GenerateKeyFile(cfg.Serve.SecretKeyFile); err != nil {
		t.Fatal(err)
	}
	_, _, closeFn2, err := webSessions(context.Background(), cfg, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	closeFn2()
	if logs.Len() != 0 {
		t.Errorf("a warning with the key file set:\n%s", logs.String())
	}
}

func TestServeSessionsUseTheStateStoresPool(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st, err := stores.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pooled, ok := st.(interface{ Pool() *pgxpool.Pool })
	if !ok {
		t.Fatalf("the PostgreSQL state store %T lends no pool", st)
	}
	cfg := &config.Config{File: "gwsync.yaml", State: dsn}
	store, _, closeFn, err := webSessions(ctx, cfg, st, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	closeFn() // a borrowed pool is not closed by the session store
	before := pooled.Pool().Stat().AcquireCount()
	if _, err := store.CountSessions(ctx); err != nil {
		t.Fatalf("sessions after closeFn: %v", err)
	}
	if after := pooled.Pool().Stat().AcquireCount(); after <= before {
		t.Errorf("the session store did not use the state store's pool (acquires %d → %d)", before, after)
	}
}
