package conformance

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// RunExternalSink runs the sink checks against a plugin executable that
// is not linked into the test binary (a plugin in another language, or a
// Go plugin built on its own): exactly as gwsync starts a
// `gwsync-plugin-NAME` from plugin_dir. s.Adapter is the name the host
// configures (the NAME); command returns a fresh command for the
// executable. Two transports, as subtests: "external" (a process per
// sink, plugins.OpenSink) and "external-pooled" (instances in the
// processes of a plugins.Pool, as a worker runs them).
func RunExternalSink(t *testing.T, s SinkSuite, command func() *exec.Cmd) {
	if s.Adapter == "" || s.Backend == nil || command == nil {
		t.Fatal("RunExternalSink needs Adapter, Backend and command")
	}
	pool := plugins.NewPool(plugins.PoolOptions{})
	t.Cleanup(func() { _ = pool.Close() })
	launch := func(adapter string, cfg adapters.Config) plugins.Launch {
		return plugins.Launch{
			Adapter: adapter,
			Config:  cfg,
			Cmd:     command(),
			Logger:  hclog.New(&hclog.LoggerOptions{Name: "conformance", Level: hclog.Warn, Output: os.Stderr}),
		}
	}
	external := []transport{
		{
			name: "external",
			wire: true,
			openSink: func(t *testing.T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
				return plugins.OpenSink(context.Background(), launch(adapter, cfg))
			},
		},
		{
			name: "external-pooled",
			wire: true,
			openSink: func(t *testing.T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
				return pool.OpenSink(context.Background(), launch(adapter, cfg))
			},
		},
	}
	for _, tr := range external {
		t.Run(tr.name, func(t *testing.T) {
			fx := StandardFixture()
			c := &sinkChecks{suite: s, tr: tr, fx: fx}
			c.opts = s.Backend(t, fx)
			c.sink = c.open(t, c.opts)
			c.run(t)
		})
	}
}
