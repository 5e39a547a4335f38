package server

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/gwsync/gwsync/sdk/wire"
)

// Serve is the main of a plugin process: it serves the adapters opts
// builds (the host's Configure names one) until the host disconnects, then
// closes them and returns. Started by hand rather than by a host it prints
// a notice on stderr and exits 1 (go-plugin's behaviour).
//
// It never writes to stdout: go-plugin's handshake line is the only thing
// allowed there, and anything printed before it breaks the start.
func Serve(opts Options) {
	// The logger must exist before plugin.Serve: it captures the real
	// stderr, which the host parses as hclog JSON. After Serve, os.Stderr
	// is a pipe whose output the host only sees as raw text.
	logger := opts.Logger
	if logger == nil {
		logger = hclog.New(&hclog.LoggerOptions{
			Name:       "plugin",
			JSONFormat: true,
			Output:     os.Stderr,
			Level:      hclog.LevelFromString(os.Getenv(wire.LogLevelEnv)),
		})
		opts.Logger = logger
	}
	// Deferred first, so it stops last: the instances' Close (a logout)
	// is part of what a plugin costs.
	stopProfile := startCPUProfile(os.Getenv(wire.CPUProfileEnv), logger)
	defer stopProfile()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go watchParent(ctx, time.Second, os.Getppid, func() {
		logger.Error("host process went away; exiting")
		stopProfile()
		os.Exit(2)
	})

	env := NewEnv(opts)
	defer env.CloseAll()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &Plugin{Env: env}}},
		GRPCServer:       NewGRPCServer,
		Logger:           logger,
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
