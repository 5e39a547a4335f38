package plugins

import (
	"sync"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// serveEnv is what the services of one plugin process share: which adapter
// names the host may ask for, the logger adapters get, and the adapters
// built so far (closed when the process stops serving).
type serveEnv struct {
	// only, when set, is the one adapter this process serves (ServeBuiltin).
	only   string
	logger hclog.Logger
	// encodeSnapshots is set when the gRPC server has serverCodec, which
	// sends pre-encoded snapshot batches (a real plugin process).
	encodeSnapshots bool

	mu      sync.Mutex
	closers []func() error
}

func newServeEnv(only string, logger hclog.Logger) *serveEnv {
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &serveEnv{only: only, logger: logger}
}

// config checks the requested adapter name and builds the adapters.Config
// the constructor gets. Errors: InvalidConfig for a missing or foreign name.
func (e *serveEnv) config(c *pb.AdapterConfig) (string, adapters.Config, error) {
	name := c.GetAdapter()
	if name == "" {
		return "", adapters.Config{}, adapters.Errorf(adapters.CodeInvalidConfig, "configure: no adapter name")
	}
	if e.only != "" && name != e.only {
		return "", adapters.Config{}, adapters.Errorf(adapters.CodeInvalidConfig, "this plugin process serves %q, not %q", e.only, name)
	}
	cfg := adapters.Config{
		Name:     c.GetInstanceName(),
		Options:  c.GetOptionsJson(),
		TimeZone: c.GetTimeZone(),
		Logger:   e.logger.Named(instanceLabel(name, c.GetInstanceName())),
	}
	return name, cfg, nil
}

// track remembers an adapter to close when serving stops.
func (e *serveEnv) track(close func() error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, close)
}

// closeAll closes every adapter built in this process, logging failures:
// the process is about to exit, so there is nobody to return them to.
func (e *serveEnv) closeAll() {
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

func instanceLabel(adapter, instance string) string {
	if instance == "" {
		return adapter
	}
	return instance
}

// errNotConfigured is what every call before a successful Configure gets.
var errNotConfigured = status.Error(codes.FailedPrecondition, "plugin: Configure has not been called")

// errConfiguredTwice refuses a second Configure of one instance name: an
// instance is one adapter for its whole life (a pooled process gets a new
// name for each).
var errConfiguredTwice = status.Error(codes.FailedPrecondition, "plugin: already configured")
