package conformance

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/sdk"
	"github.com/gwsync/gwsync/sdk/server"
)

// transport is one way of reaching an adapter.
type transport struct {
	name string
	// wire is true when calls cross the plugin protocol: the host-side
	// value then implements every optional interface and must answer
	// undeclared ones with CodeUnsupported.
	wire       bool
	openSource func(t T, adapter string, cfg adapters.Config) (adapters.Source, error)
	openSink   func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error)
}

var transports = []transport{
	{
		name: "inprocess",
		openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
			return adapters.NewSource(adapter, cfg)
		},
		openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
			return adapters.NewSink(adapter, cfg)
		},
	},
	{
		name: "grpc",
		wire: true,
		openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
			return plugins.DialSource(context.Background(), inMemoryConn(t), adapter, cfg)
		},
		openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
			return plugins.DialSink(context.Background(), inMemoryConn(t), adapter, cfg)
		},
	},
	{
		name: "subprocess",
		wire: true,
		openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
			requireMain(t)
			return plugins.OpenSource(context.Background(), SubprocessLaunch(adapter, cfg))
		},
		openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
			requireMain(t)
			return plugins.OpenSink(context.Background(), SubprocessLaunch(adapter, cfg))
		},
	},
	{
		// Instances in the long-lived processes of one plugins.Pool per
		// test binary, as a worker runs them: every test of the binary
		// adds instances to the same processes.
		name: "pooled",
		wire: true,
		openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
			requireMain(t)
			return sharedPool().OpenSource(context.Background(), SubprocessLaunch(adapter, cfg))
		},
		openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
			requireMain(t)
			return sharedPool().OpenSink(context.Background(), SubprocessLaunch(adapter, cfg))
		},
	},
}

// sharedPool is the "pooled" transport's pool; Main closes it after the
// tests. Its processes outlive single tests on purpose.
var sharedPool = sync.OnceValue(func() *plugins.Pool {
	poolUsed.Store(true)
	return plugins.NewPool(plugins.PoolOptions{})
})

// poolUsed records that sharedPool was made, so Main closes only a pool
// that exists.
var poolUsed atomic.Bool

// inMemoryConn serves the plugin protocol inside the test process, through
// the server a plugin process runs (plugins.ServeInMemory). The cleanup
// closes a connection nobody closed.
func inMemoryConn(t T) plugin.ClientProtocol {
	client, err := plugins.ServeInMemory(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// serveEnv, set to "1" in a child's environment, makes Main serve the
// plugin protocol instead of running tests.
const serveEnv = "GWSYNC_ADAPTERTEST_SERVE"

// mainInstalled records that the test binary's TestMain calls Main, without
// which a re-executed test binary would not serve.
var mainInstalled bool

// Main is the TestMain of every package that runs the suite:
//
//	func TestMain(m *testing.M) { conformance.Main(m) }
//
// In a child started by the "subprocess" transport it serves the adapters
// registered in the test binary (sdk.ServeRegistered) and exits; otherwise it
// runs the tests.
func Main(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		sdk.ServeRegistered()
		os.Exit(0)
	}
	mainInstalled = true
	code := m.Run()
	if poolUsed.Load() {
		_ = sharedPool().Close()
	}
	os.Exit(code)
}

func requireMain(t T) {
	t.Helper()
	if !mainInstalled {
		t.Fatal("the subprocess transport needs `func TestMain(m *testing.M) { conformance.Main(m) }` in this package")
	}
}

// SubprocessLaunch returns a plugins.Launch that runs adapter in a child
// process: this test binary, re-executed, serving through Main. The child
// gets `-test.run=^$` so that, should Main be missing, it runs no tests
// (and fails the handshake) instead of recursing.
func SubprocessLaunch(adapter string, cfg adapters.Config) plugins.Launch {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = []string{serveEnv + "=1"}
	return plugins.Launch{
		Adapter: adapter,
		Config:  cfg,
		Cmd:     cmd,
		Logger:  hclog.New(&hclog.LoggerOptions{Name: "conformance", Level: hclog.Warn, Output: os.Stderr}),
	}
}
