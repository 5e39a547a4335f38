package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/prefs"
	"github.com/gwsync/gwsync/web"
	"github.com/gwsync/gwsync/worker"
	"github.com/gwsync/gwsync/worker/webjobs"
	"github.com/hashicorp/go-hclog"
)

// runServe starts the web client: the wizard for manual runs, the
// scheduler for users with automatic matching, /healthz and /metrics. It
// returns after SIGINT/SIGTERM once the shutdown is done (a running sync
// finishes or is cancelled between two batches).
func runServe(ctx context.Context, args []string) error {
	fs, c := newFlagSet("serve", "serve [--address HOST:PORT]")
	addr := fs.String("address", "", "listen on `host:port` (default: serve.address of the config, else "+config.DefaultServeAddress+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	st, err := openStateDSN(ctx, cfg, withWorkerPool(cfg.State, cfg.Worker.Concurrency))
	if err != nil {
		return err
	}
	defer st.Close()
	sessionStore, keyring, closeSessions, err := webSessions(ctx, cfg, st, logger)
	if err != nil {
		return err
	}
	defer closeSessions()
	var sessions web.SessionStore // nil interface, not a nil *pgsessions.Store: web's memory default
	if sessionStore != nil {
		sessions = sessionStore
	}
	var keys web.Keyring
	if keyring != nil {
		keys = keyring
	}
	// One pool of plugin processes for every user's runs, wizard and
	// scheduled alike; closed after the server (defers run backwards).
	pluginPool := plugins.NewPool(plugins.PoolOptions{Logger: logger.Named("plugins")})
	defer pluginPool.Close()
	crmOpener := &opener{cfg: cfg, logger: logger}
	defer crmOpener.close()
	crm, err := crmOpener.sink(ctx)
	if err != nil {
		return err
	}
	users, loginable := webUsers(cfg)
	if loginable == 0 {
		logger.Warn("no user has a password_hash: nobody can log in (run 'gwsync passwd' and add password_hash to a user)")
	}
	metricsToken, err := readMetricsToken(cfg)
	if err != nil {
		return err
	}
	// With a PostgreSQL state this process is also a worker: the
	// periodic job of the queue, not the in-process scheduler, syncs the
	// automatic users, and the wizard's manual runs are jobs of the queue
	// that any worker runs and any replica's page follows.
	var jobs *worker.Worker
	var webJobs web.Jobs // a nil interface without a queue: runs stay in this process
	if isPostgresDSN(cfg.State) {
		var queue *worker.Queue
		if jobs, queue, err = serveWorker(ctx, cfg, logger, st, crm, pluginPool, keyring); err != nil {
			return err
		}
		webJobs = webjobs.Jobs{Queue: queue}
	}
	srv, err := web.New(web.Options{Users: users, OpenJob: jobOpener(cfg, st, logger, crm, pluginPool), CRM: crm, State: st,
		Preferences: &prefs.Service{Config: cfg, Store: st}, CheckLogin: loginChecker(cfg, logger.Named("credentials")),
		SecureCookies: cfg.Serve.TLSCert != "", Interval: cfg.Serve.Interval, Jobs: webJobs, Logger: logger.Named("web"),
		MaxSessions: cfg.Serve.MaxSessions, MetricsToken: metricsToken, MetricsElsewhere: cfg.Serve.MetricsAddress != "",
		Sessions: sessions, Keys: keys})
	if err != nil {
		return err
	}
	if cfg.Serve.MetricsAddress != "" {
		mln, err := net.Listen("tcp", cfg.Serve.MetricsAddress)
		if err != nil {
			return fmt.Errorf("serve: metrics_address: %w", err)
		}
		defer srv.ServeMetrics(mln)()
		fmt.Fprintf(os.Stderr, "gwsync serve: metrics on http://%s/metrics\n", mln.Addr())
	}
	address := cfg.Serve.Address
	if *addr != "" {
		address = *addr
	}
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http"
	if cfg.Serve.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(os.Stderr, "gwsync serve: listening on %s://%s/ (stop with Ctrl-C)\n", scheme, ln.Addr())
	if jobs == nil {
		return srv.Serve(ctx, ln, cfg.Serve.TLSCert, cfg.Serve.TLSKey)
	}
	// The web client and the worker stop together: a worker that cannot
	// run takes the web client down with it.
	wctx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	workerErr := make(chan error, 1)
	go func() { workerErr <- jobs.Run(wctx); stopAll() }()
	err = srv.Serve(wctx, ln, cfg.Serve.TLSCert, cfg.Serve.TLSKey)
	stopAll()
	return errors.Join(err, <-workerErr)
}

// serveWorker builds the worker `gwsync serve` runs beside the web client
// when the state is PostgreSQL, after migrating River's tables, and the
// queue the wizard enqueues its runs in (sealing typed passwords with
// serve.secret_key_file's key, which every replica and worker shares).
func serveWorker(ctx context.Context, cfg *config.Config, logger hclog.Logger, st state.Store, crm adapters.Sink,
	pluginPool *plugins.Pool, keys *secretbox.Keyring) (*worker.Worker, *worker.Queue, error) {
	pool, err := jobsPool(cfg, st)
	if err != nil {
		return nil, nil, err
	}
	if err := worker.Migrate(ctx, pool); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	w, err := newWorker(cfg, logger, st, pool, crm, pluginPool, keys, "gwsync serve")
	if err != nil {
		return nil, nil, err
	}
	var sealer worker.Sealer // a nil interface when there is no key
	if keys != nil {
		sealer = keys
	}
	q, err := worker.NewQueue(pool, sealer)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	return w, q, nil
}

// webUsers turns the config's users into the web client's, and counts
// those who can log in.
func webUsers(cfg *config.Config) ([]web.User, int) {
	out := make([]web.User, 0, len(cfg.Users))
	n := 0
	for _, u := range cfg.Users {
		wu := web.User{Name: u.Name, PasswordHash: u.PasswordHash, Automatic: u.AutomaticMatching, Admin: u.Admin, TimeZone: u.TimeZone}
		for _, a := range u.Areas {
			wu.Areas = append(wu.Areas, engine.Area(a))
		}
		for _, sp := range u.Sources {
			if l, need := credentials.LoginOf(sp.Name, sp.Plugin, sp.Options); need {
				wu.Logins = append(wu.Logins, l)
			}
		}
		if u.PasswordHash != "" {
			n++
		}
		out = append(out, wu)
	}
	return out, n
}

// jobOpener gives the web client a way to start one user's sources: each
// job gets an opener of its own, so that closing one wizard's sources does
// not touch another's. The CRM is shared. secrets are the passwords the
// user typed in the browser for sources without credentials in the config
// (credentials.NeedsPassword); the opener merges them into a copy of those
// sources' options only, and keeps them out of its errors.
// pool, when not nil, keeps the users' plugin processes alive between
// runs (serve and worker sync many users, over and over); nil starts
// processes per run.
func jobOpener(cfg *config.Config, st state.Preferences, logger hclog.Logger, crm adapters.Sink, pool *plugins.Pool) web.OpenJobFunc {
	return func(ctx context.Context, name string, secrets map[string]string) (*engine.Job, func(), error) {
		u, err := effectiveUser(ctx, cfg, st, name)
		if err != nil {
			return nil, nil, err
		}
		return openUserJob(ctx, cfg, logger, crm, pool, u, secrets)
	}
}

// openUserJob starts the sources of u, a user's effective settings, for
// one job (see jobOpener).
func openUserJob(ctx context.Context, cfg *config.Config, logger hclog.Logger, crm adapters.Sink, pool *plugins.Pool,
	u *config.User, secrets map[string]string) (*engine.Job, func(), error) {
	op := &opener{cfg: cfg, logger: logger, secrets: secrets, pool: pool}
	job, err := op.job(ctx, u, crm)
	if err != nil {
		op.close()
		return nil, nil, err
	}
	return job, op.close, nil
}

// readMetricsToken reads serve.metrics_token_file: the whole file, without
// its trailing newline, must be a non-empty token.
func readMetricsToken(cfg *config.Config) (string, error) {
	if cfg.Serve.MetricsTokenFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(cfg.Serve.MetricsTokenFile)
	if err != nil {
		return "", fmt.Errorf("%s: serve.metrics_token_file: %w", cfg.File, err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s: serve.metrics_token_file: %s is empty", cfg.File, cfg.Serve.MetricsTokenFile)
	}
	return tok, nil
}
