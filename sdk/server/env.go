package server

import (
	"sync"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// Options says which adapters a plugin process serves.
type Options struct {
	// NewSource builds the source the host's Configure names (adapter is
	// Configure's adapter name). Nil means adapters.NewSource (every
	// registered source) unless NewSink is set; then the process serves
	// no source, and a source Configure fails with InvalidConfig.
	NewSource func(adapter string, cfg adapters.Config) (adapters.Source, error)
	// NewSink is NewSource for sinks.
	NewSink func(adapter string, cfg adapters.Config) (adapters.Sink, error)
	// Logger is what adapters get (Config.Logger, named per instance);
	// nil discards (NewEnv) or logs hclog JSON to stderr (Serve).
	Logger hclog.Logger
}

// Env is what the services of one plugin process share: the constructors,
// the logger adapters get, and the adapters built so far (closed when the
// process stops serving).
type Env struct {
	newSource func(string, adapters.Config) (adapters.Source, error)
	newSink   func(string, adapters.Config) (adapters.Sink, error)
	logger    hclog.Logger

	mu      sync.Mutex
	closers []func() error
}

// NewEnv applies the defaults of Options.
func NewEnv(opts Options) *Env {
	e := &Env{newSource: opts.NewSource, newSink: opts.NewSink, logger: opts.Logger}
	if e.logger == nil {
		e.logger = hclog.NewNullLogger()
	}
	if e.newSource == nil && e.newSink == nil {
		e.newSource, e.newSink = adapters.NewSource, adapters.NewSink
	}
	if e.newSource == nil {
		e.newSource = func(name string, _ adapters.Config) (adapters.Source, error) {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "this plugin serves a sink, not a source (configured as %q)", name)
		}
	}
	if e.newSink == nil {
		e.newSink = func(name string, _ adapters.Config) (adapters.Sink, error) {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "this plugin serves a source, not a sink (configured as %q)", name)
		}
	}
	return e
}

// config checks the requested adapter name and builds the adapters.Config
// the constructor gets. Errors: InvalidConfig for a missing name.
func (e *Env) config(c *pb.AdapterConfig) (string, adapters.Config, error) {
	name := c.GetAdapter()
	if name == "" {
		return "", adapters.Config{}, adapters.Errorf(adapters.CodeInvalidConfig, "configure: no adapter name")
	}
	cfg := adapters.Config{
		Name:     c.GetInstanceName(),
		Options:  c.GetOptionsJson(),
		TimeZone: c.GetTimeZone(),
		Logger:   e.logger.Named(wire.InstanceLabel(name, c.GetInstanceName())),
	}
	return name, cfg, nil
}

// track remembers an adapter to close when serving stops.
func (e *Env) track(close func() error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, close)
}

// CloseAll closes every adapter built in this process, logging failures:
// the process is about to exit, so there is nobody to return them to.
func (e *Env) CloseAll() {
	e.mu.Lock()
	closers := e.closers
	e.closers = nil
	e.mu.Unlock()
	for _, c := range closers {
		if err := c(); err != nil {
			e.logger.Warn("closing adapter", "error", err)
		}
	}
}

// errNotConfigured is what every call before a successful Configure gets.
var errNotConfigured = status.Error(codes.FailedPrecondition, "plugin: Configure has not been called")

// errConfiguredTwice refuses a second Configure of one instance name: an
// instance is one adapter for its whole life (a pooled process gets a new
// name for each).
var errConfiguredTwice = status.Error(codes.FailedPrecondition, "plugin: already configured")
