package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/web/pgsessions"
)

// webSessions picks where `gwsync serve` keeps its sessions and which keys
// sign and seal: with a PostgreSQL state, the sessions, login throttle
// and known devices live in that database (web/pgsessions), so replicas
// behind a load balancer share them; otherwise in this process's memory
// (nil store: web's default). It returns the concrete types (nil for
// "the default"), so that only cmd_serve.go imports web. The keys come from serve.secret_key_file;
// without it a PostgreSQL deployment gets a random key per process and a
// warning, since a second replica could then neither verify the login
// form nor open the typed passwords. close releases what was opened.
// Errors name the config file and the key.
func webSessions(ctx context.Context, cfg *config.Config, st state.Store, logger hclog.Logger) (*pgsessions.Store, *secretbox.Keyring, func(), error) {
	var keys *secretbox.Keyring
	if cfg.Serve.SecretKeyFile != "" {
		k, err := secretbox.LoadKeyFile(cfg.Serve.SecretKeyFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: serve.secret_key_file: %w", cfg.File, err)
		}
		keys = k
	}
	if !isPostgresDSN(cfg.State) {
		return nil, keys, func() {}, nil
	}
	if keys == nil {
		logger.Warn("the state is PostgreSQL but serve.secret_key_file is not set: this process uses a random key, so a second serve replica " +
			"cannot verify its login forms nor open the passwords typed here; run 'gwsync keygen --out FILE' and set serve.secret_key_file on every replica")
		keys = secretbox.NewRandomKeyring()
	}
	// The PostgreSQL state store lends its pool when it has one, so that
	// the web tier opens no connections of its own.
	if p, ok := st.(interface{ Pool() *pgxpool.Pool }); ok {
		store, err := pgsessions.Open(ctx, p.Pool(), pgsessions.Options{})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: state: %w", cfg.File, err)
		}
		return store, keys, func() {}, nil
	}
	store, err := pgsessions.OpenDSN(ctx, cfg.State, pgsessions.Options{})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: state: %w", cfg.File, err)
	}
	return store, keys, store.Close, nil
}

// isPostgresDSN reports whether a state DSN names PostgreSQL (the
// schemes engine/state/stores accepts for it).
func isPostgresDSN(dsn string) bool {
	scheme, _, ok := strings.Cut(dsn, ":")
	scheme = strings.ToLower(scheme)
	return ok && (scheme == "postgres" || scheme == "postgresql")
}
