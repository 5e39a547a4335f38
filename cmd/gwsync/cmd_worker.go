package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/prefs"
	"github.com/gwsync/gwsync/worker"
)

// runWorker works users' sync jobs from the PostgreSQL queue until
// SIGINT/SIGTERM: scheduled syncs of automatic users (when this process is
// River's leader it also runs the schedule), manual runs the web client
// enqueued, and `gwsync jobs enqueue`. It needs a PostgreSQL state.
func runWorker(ctx context.Context, args []string) error {
	fs, c := newFlagSet("worker", "worker [--config FILE]\n\n"+
		"Works sync jobs from the PostgreSQL queue (state: postgres://...) until SIGTERM;\n"+
		"run as many as the sync load needs, beside or apart from 'gwsync serve'.\n"+
		"The worker: block of the config sets concurrency, rescue_after, lease_ttl, shutdown_grace.")
	var cpuProfile string
	cpuProfileFlag(fs, &cpuProfile)
	if err := parse(fs, args); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	if err := needPostgresState(cfg, "worker"); err != nil {
		return err
	}
	var st state.Store
	err = retryUnreachable(ctx, logger, "state "+redactedDSN(cfg.State), func(ctx context.Context) error {
		st, err = openStateDSN(ctx, cfg, withWorkerPool(cfg.State, cfg.Worker.Concurrency))
		return err
	})
	if err != nil {
		return err
	}
	defer st.Close()
	pool, err := jobsPool(cfg, st)
	if err != nil {
		return err
	}
	err = retryUnreachable(ctx, logger, "river migrations", func(ctx context.Context) error { return worker.Migrate(ctx, pool) })
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.File, err)
	}
	keys, err := workerKeys(cfg)
	if err != nil {
		return err
	}
	// Plugin processes live as long as the worker, shared by all users.
	pluginPool := plugins.NewPool(plugins.PoolOptions{Logger: logger.Named("plugins")})
	defer pluginPool.Close()
	crmOpener := &opener{cfg: cfg, logger: logger}
	defer crmOpener.close()
	crm, err := crmOpener.sink(ctx)
	if err != nil {
		return err
	}
	w, err := newWorker(cfg, logger, st, pool, crm, pluginPool, keys, "gwsync worker")
	if err != nil {
		return err
	}
	return w.Run(ctx)
}

// newWorker builds the River worker of `gwsync worker` and `gwsync serve`
// from the config: its users, the worker: block, serve.interval for the
// schedule, and the opener every front-end uses.
func newWorker(cfg *config.Config, logger hclog.Logger, st state.Store, pool *pgxpool.Pool, crm adapters.Sink,
	pluginPool *plugins.Pool, keys *secretbox.Keyring, what string) (*worker.Worker, error) {
	var sealer worker.Sealer // a nil interface when there is no key file
	if keys != nil {
		sealer = keys
	}
	return worker.New(worker.Options{Pool: pool, State: st, OpenJob: workerJobOpener(cfg, st, logger, crm, pluginPool), Sealer: sealer,
		Users: workerUsers(cfg), AutomaticNow: automaticNow(cfg, st), Concurrency: cfg.Worker.Concurrency, RescueAfter: cfg.Worker.RescueAfter,
		LeaseTTL: cfg.Worker.LeaseTTL, ShutdownGrace: cfg.Worker.ShutdownGrace, Interval: cfg.Serve.Interval,
		What: what, Logger: logger.Named("worker")})
}

// workerJobOpener is jobOpener (the web client's) for the worker's jobs,
// with the preferences the worker read with the user's lease (see
// workerUser) instead of reading them again.
func workerJobOpener(cfg *config.Config, st state.Preferences, logger hclog.Logger, crm adapters.Sink, pool *plugins.Pool) worker.OpenJobFunc {
	return func(ctx context.Context, user string, secrets, stored map[string]string) (*engine.Job, func(), error) {
		u, err := workerUser(ctx, cfg, st, user, stored)
		if err != nil {
			return nil, nil, err
		}
		return openUserJob(ctx, cfg, logger, crm, pool, u, secrets)
	}
}

// workerUser is the user's effective settings (effectiveUser) with the
// stored preferences laid over the config by prefs.Apply, the rule
// prefs.Service.Effective applies; nil stored preferences are read from
// st. A user the config does not know is worker.ErrUnknownUser.
func workerUser(ctx context.Context, cfg *config.Config, st state.Preferences, user string, stored map[string]string) (*config.User, error) {
	cu, err := cfg.User(user)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", worker.ErrUnknownUser, err)
	}
	if stored == nil {
		return effectiveUser(ctx, cfg, st, user)
	}
	u, err := prefs.Apply(*cu, stored)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	return &u, nil
}

// workerUsers are the config's users as the worker needs them.
func workerUsers(cfg *config.Config) []worker.User {
	out := make([]worker.User, 0, len(cfg.Users))
	for _, u := range cfg.Users {
		wu := worker.User{Name: u.Name, Automatic: u.AutomaticMatching,
			AutomaticByPreference: u.MayEdit(config.EditAutomaticMatching)}
		for _, sp := range u.Sources {
			if _, need := credentials.LoginOf(sp.Name, sp.Plugin, sp.Options); need {
				wu.NeedsPassword = true
			}
		}
		out = append(out, wu)
	}
	return out
}

// automaticNow reads whether a user has automatic matching on now, from
// the effective user (config and preferences, as every front-end does),
// for the schedule of users who may switch it in their preferences.
func automaticNow(cfg *config.Config, st state.Preferences) func(ctx context.Context, user string) (bool, error) {
	return func(ctx context.Context, user string) (bool, error) {
		u, err := effectiveUser(ctx, cfg, st, user)
		if err != nil {
			return false, err
		}
		return u.AutomaticMatching, nil
	}
}

// needPostgresState refuses a command that needs the job queue when the
// state is not PostgreSQL.
func needPostgresState(cfg *config.Config, cmd string) error {
	if isPostgresDSN(cfg.State) {
		return nil
	}
	return fmt.Errorf("%s: gwsync %s needs a PostgreSQL state (state: postgres://...), which holds the job queue; "+
		"this config's state is %s (with SQLite, 'gwsync serve' syncs automatic users itself, and 'gwsync sync' by cron)",
		cfg.File, cmd, redactedDSN(cfg.State))
}

func redactedDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// pooler is the PostgreSQL state store: River's tables live in its
// database and use its connection pool.
type pooler interface{ Pool() *pgxpool.Pool }

// jobsPool returns the connection pool of a PostgreSQL state, which the
// job queue shares (no second pool, so connections stay bounded by the
// state's pool size).
func jobsPool(cfg *config.Config, st state.Store) (*pgxpool.Pool, error) {
	if p, ok := st.(pooler); ok && p.Pool() != nil {
		return p.Pool(), nil
	}
	if err := needPostgresState(cfg, "jobs"); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: state %s: this store (%T) gives the job queue no PostgreSQL connection pool",
		cfg.File, redactedDSN(cfg.State), st)
}

// workerKeys loads serve.secret_key_file, which opens the typed passwords
// a manual run's job carries (sealed by the web replica that queued it);
// without it such a job is cancelled with a clear error.
func workerKeys(cfg *config.Config) (*secretbox.Keyring, error) {
	if cfg.Serve.SecretKeyFile == "" {
		return nil, nil
	}
	k, err := secretbox.LoadKeyFile(cfg.Serve.SecretKeyFile)
	if err != nil {
		return nil, fmt.Errorf("%s: serve.secret_key_file: %w", cfg.File, err)
	}
	return k, nil
}
