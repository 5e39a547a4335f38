package main

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/stores"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/prefs"
	"github.com/hashicorp/go-hclog"
)

// opener builds adapters from config entries: built-ins out of process by
// default (this binary re-executed as `gwsync plugin serve NAME`), in
// process when the entry says in_process, and external plugins from
// plugin_dir.
type opener struct {
	cfg    *config.Config
	logger hclog.Logger
	// secrets are passwords typed in the web client, by source name, for
	// sources whose options have none (credentials.NeedsPassword); nil for the
	// command line. They are merged into a copy of the options and never
	// logged or put into an error.
	secrets map[string]string
	// pool, when set, runs out-of-process adapters as instances in
	// long-lived plugin processes shared with other openers (a worker or
	// the web scheduler syncing many users; see plugins.Pool); closing the
	// opener then releases the instances and the processes stay. nil
	// starts a process per adapter, killed on close: the CLI runs once,
	// so a pool would only add its bookkeeping.
	pool *plugins.Pool

	mu      sync.Mutex // adapters start in parallel
	closers []func() error
}

func (o *opener) onClose(f func() error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closers = append(o.closers, f)
}

func (o *opener) adapterConfig(p config.Plugin, tz string) adapters.Config {
	return adapters.Config{Name: p.Name, Options: p.Options, TimeZone: tz, Logger: o.logger.Named(p.Name)}
}

// launch describes how to start an out-of-process plugin entry.
func (o *opener) launch(p config.Plugin, tz string) (plugins.Launch, error) {
	l := plugins.Launch{Adapter: p.Plugin, Config: o.adapterConfig(p, tz), SHA256: p.SHA256, Logger: o.logger.Named(p.Name)}
	if _, builtin := adapters.Lookup(p.Plugin); builtin && p.SHA256 == "" {
		return l, nil // nil Cmd: re-execute this binary
	}
	if o.cfg.PluginDir == "" {
		return l, o.placed(p, "plugin", adapters.UnknownError(p.Plugin).Error()+"; external plugins need plugin_dir")
	}
	cmd, err := plugins.ExternalCommand(o.cfg.PluginDir, p.Plugin)
	if err != nil {
		return l, o.placed(p, "plugin", err.Error())
	}
	l.Cmd = cmd
	return l, nil
}

// untouched says the run will not list the source (its areas want none
// of its kinds): its Configure then skips the first Info and its I/O.
func (o *opener) source(ctx context.Context, p config.Plugin, tz string, untouched bool) (adapters.Source, error) {
	var s adapters.Source
	var err error
	if p.InProcess {
		s, err = adapters.NewSource(p.Plugin, o.adapterConfig(p, tz))
	} else {
		var l plugins.Launch
		if l, err = o.launch(p, tz); err == nil {
			l.NoFirstInfo = untouched
			if o.pool != nil {
				s, err = o.pool.OpenSource(ctx, l)
			} else {
				s, err = plugins.OpenSource(ctx, l)
			}
		}
	}
	if err != nil {
		return nil, o.explain(p, err)
	}
	o.onClose(s.Close)
	return s, nil
}

func (o *opener) sink(ctx context.Context) (adapters.Sink, error) {
	p := o.cfg.CRM
	var s adapters.Sink
	var err error
	if p.InProcess {
		s, err = adapters.NewSink(p.Plugin, o.adapterConfig(p, o.cfg.Defaults.TimeZone))
	} else {
		var l plugins.Launch
		if l, err = o.launch(p, o.cfg.Defaults.TimeZone); err == nil {
			if o.pool != nil {
				s, err = o.pool.OpenSink(ctx, l)
			} else {
				s, err = plugins.OpenSink(ctx, l)
			}
		}
	}
	if err != nil {
		return nil, o.explain(p, err)
	}
	o.onClose(s.Close)
	return s, nil
}

// close closes every adapter, in parallel: closing a plugin waits for its
// child to exit, and the adapters are independent of each other.
func (o *opener) close() {
	o.mu.Lock()
	closers := o.closers
	o.closers = nil
	o.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range closers {
		wg.Go(func() { _ = c() })
	}
	wg.Wait()
}

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// explain turns an adapter's config error into one that names the config
// file and line; other errors get the instance name. The values of the
// options the adapter declares secret are redacted: an adapter or a
// server may echo what it was given.
func (o *opener) explain(p config.Plugin, err error) error {
	if _, isPlaced := err.(placedError); isPlaced {
		return err
	}
	err = credentials.RedactError(err, credentials.SecretValues(p.Plugin, p.Options)...)
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		return fmt.Errorf("%s: %w", p, err)
	}
	line := p.Line
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		line = p.OptionLine(m[1])
	}
	return placedError{fmt.Sprintf("%s:%d: %s: %v", o.cfg.File, line, p, err)}
}

func (o *opener) placed(p config.Plugin, key, msg string) error {
	return placedError{fmt.Sprintf("%s:%d: %s: %s: %s", o.cfg.File, p.Line, p, key, msg)}
}

type placedError struct{ msg string }

func (e placedError) Error() string { return e.msg }

// job builds one user's engine job, starting the user's sources.
func (o *opener) job(ctx context.Context, u *config.User, crm adapters.Sink) (*engine.Job, error) {
	policy, err := engine.ParsePolicy(u.Conflict)
	if err != nil {
		return nil, err
	}
	job := &engine.Job{User: u.Name, Email: u.Email, Exclude: u.Exclude, CRM: crm, ExportTo: u.ExportTo, Policy: policy,
		PrivateItems: engine.PrivatePolicy(u.PrivateItems), CRMFullEvery: o.cfg.Defaults.CRMFullCheck,
		Window: engine.WindowAround(time.Now(), u.Window.Past, u.Window.Future), Logger: o.logger.Named(u.Name)}
	for _, a := range u.Areas {
		job.Areas = append(job.Areas, engine.Area(a))
	}
	// Sources start in parallel: each out-of-process one is a child
	// process and a handshake (~85 ms), which a sync of a few items would
	// otherwise spend mostly waiting for.
	sources := make([]engine.NamedSource, len(u.Sources))
	errs := make([]error, len(u.Sources))
	var wg sync.WaitGroup
	for i, sp := range u.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sources[i], errs[i] = o.startSource(ctx, sp, u.TimeZone, job.Areas)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	job.Sources = sources
	return job, nil
}

// startSource starts one of a user's sources, with a typed password merged
// in and checked (see withSecret).
func (o *opener) startSource(ctx context.Context, sp config.Plugin, tz string, areas []engine.Area) (engine.NamedSource, error) {
	sp, typed, err := o.withSecret(sp)
	if err != nil {
		return engine.NamedSource{}, &credentials.SourceError{Source: sp.Name, Err: err}
	}
	untouched := !typed && !engine.AreasWant(areas, registeredKinds(sp.Plugin))
	src, err := o.source(ctx, sp, tz, untouched)
	if err == nil && typed {
		// Adapters log in lazily, and the engine reports a listing
		// that failed as a problem of the plan, not as an error: a
		// typed password is checked now (Info may connect to check
		// credentials), so that a wrong one can be asked for again.
		if _, ierr := src.Info(ctx); ierr != nil {
			err = fmt.Errorf("%s: %w", sp, ierr)
		}
	}
	if err != nil {
		return engine.NamedSource{}, &credentials.SourceError{Source: sp.Name, Err: credentials.RedactError(err, o.redacted(sp)...)}
	}
	// Whatever the source says later (a failed listing in the plan, a
	// per-item error in the journal) is redacted the same way.
	// With the kinds it can hold, a run for other areas never touches it.
	return engine.NamedSource{Name: sp.Name, Source: credentials.RedactSource(src, o.redacted(sp)),
		Kinds: registeredKinds(sp.Plugin)}, nil
}

// registeredKinds is what a built-in adapter declares it can hold; nil
// for an external plugin (the engine learns its kinds from Info).
func registeredKinds(plugin string) []adapters.Kind {
	if r, ok := adapters.Lookup(plugin); ok {
		return r.Kinds
	}
	return nil
}

// withSecret returns p with the typed password merged into its options when
// p needs one, and whether it did (p is a copy: the config keeps its
// options). Errors do not contain the password.
func (o *opener) withSecret(p config.Plugin) (config.Plugin, bool, error) {
	pw, typed := o.secrets[p.Name]
	if !typed || !credentials.NeedsPassword(p.Plugin, p.Options) {
		return p, false, nil
	}
	opts, err := credentials.MergePassword(p.Options, pw)
	if err != nil {
		return p, false, o.placed(p, "options", err.Error())
	}
	p.Options = opts
	return p, true, nil
}

// redacted is what must not appear in an error about source p: the
// passwords typed for any source, and the values of p's options that its
// adapter declares secret (p may carry a merged typed password).
func (o *opener) redacted(p config.Plugin) []string {
	out := credentials.SecretValues(p.Plugin, p.Options)
	for _, v := range o.secrets {
		out = append(out, v)
	}
	return out
}

func openState(ctx context.Context, cfg *config.Config) (state.Store, error) {
	return openStateDSN(ctx, cfg, cfg.State)
}

// openStateDSN is openState with the config's state DSN adjusted (a
// worker's pool size, withWorkerPool); errors name the config's DSN.
func openStateDSN(ctx context.Context, cfg *config.Config, dsn string) (state.Store, error) {
	st, err := stores.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: state %s: %w", cfg.File, redactURLs(cfg.State), err)
	}
	return st, nil
}

// effectiveUser is the named user's settings as every front-end runs
// them: the config entry with the preferences the user stored on the web
// client's preferences page for the keys the config lets them change
// (prefs.Service.Effective, which the web client's pages read too). A
// nil st (a test without a state) reads the config alone.
func effectiveUser(ctx context.Context, cfg *config.Config, st state.Preferences, name string) (*config.User, error) {
	if st == nil {
		return cfg.User(name)
	}
	u, err := (&prefs.Service{Config: cfg, Store: st}).Effective(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	return &u, nil
}
