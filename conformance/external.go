package conformance

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// RunExternalSink runs the sink checks from `go test` against a plugin
// executable that is not linked into the test binary (a plugin in another
// language, or a Go plugin built on its own), started exactly as gwsync
// starts a `gwsync-plugin-NAME` from plugin_dir. s.Adapter is the name
// the host configures (the NAME); command returns a fresh command for the
// executable. Two transports, as subtests: "external" (a process per
// sink, as RunPlugin and `gwsync plugin test` do) and "external-pooled"
// (instances in the processes of a plugins.Pool, as a worker runs them),
// each on a backend of its own that s.Backend prepares.
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
			openSink: func(_ T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
				return plugins.OpenSink(context.Background(), launch(adapter, cfg))
			},
		},
		{
			name: "external-pooled",
			wire: true,
			openSink: func(_ T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
				return pool.OpenSink(context.Background(), launch(adapter, cfg))
			},
		},
	}
	for _, tr := range external {
		t.Run(tr.name, func(t *testing.T) {
			runSink(testingT{t}, tr, s.Adapter, func(_ T, fx Fixture) json.RawMessage { return s.Backend(t, fx) })
		})
	}
}
