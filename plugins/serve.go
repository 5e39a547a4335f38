package plugins

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gwsync/gwsync/adapters"
)

// Serve is the main of a plugin binary: it serves every adapter registered
// in it (the host's Configure names one) until the host disconnects, then
// closes the adapters and returns. Started by hand rather than by a host it
// prints a notice on stderr and exits 1.
//
// It never writes to stdout: go-plugin's handshake line is the only thing
// allowed there, and anything printed before it breaks the start.
func Serve() { serve("") }

// ServeBuiltin serves only the registered adapter name; it is what the
// hidden `gwsync plugin serve NAME` command calls. Errors: InvalidConfig
// when name is not registered (print it on stderr and exit non-zero);
// otherwise it returns nil once the host disconnects.
func ServeBuiltin(name string) error {
	if _, ok := adapters.Lookup(name); !ok {
		return adapters.UnknownError(name)
	}
	serve(name)
	return nil
}

func serve(only string) {
	// The logger must exist before plugin.Serve: it captures the real
	// stderr, which the host parses as hclog JSON. After Serve, os.Stderr
	// is a pipe whose output the host only sees as raw text.
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "plugin",
		JSONFormat: true,
		Output:     os.Stderr,
		Level:      hclog.LevelFromString(os.Getenv(logLevelEnv)),
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go watchParent(ctx, time.Second, os.Getppid, func() {
		logger.Error("host process went away; exiting")
		os.Exit(2)
	})

	env := newServeEnv(only, logger)
	env.encodeSnapshots = true
	defer env.closeAll()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(env),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, serverOptions()...)
			return grpc.NewServer(append(opts, grpc.ForceServerCodecV2(newServerCodec()))...)
		},
		Logger: logger,
	})
}

// watchParent calls orphaned once getppid stops returning the parent it
// returned first, i.e. the host died and the plugin was re-parented.
// go-plugin has no such guard, and a plugin holding an IMAP connection or
// a file lock must not outlive its host. It returns when ctx is done.
func watchParent(ctx context.Context, every time.Duration, getppid func() int, orphaned func()) {
	parent := getppid()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if getppid() != parent {
				orphaned()
				return
			}
		}
	}
}
