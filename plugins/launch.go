package plugins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/sdk/wire"
)

// Launch says how to run one adapter instance in its own process.
type Launch struct {
	// Adapter is the registered adapter name the plugin process builds.
	Adapter string
	// Config is the instance's configuration; its Logger is not sent (the
	// plugin logs through its own, relayed to Logger below).
	Config adapters.Config
	// Cmd is the plugin command. nil re-executes this binary as
	// `<os.Executable()> plugin serve <Adapter>` (built-ins in isolation).
	// Its Env, if set, is passed on top of the few host variables a plugin
	// needs (see passedEnv); nothing else of the host's environment is.
	Cmd *exec.Cmd
	// SHA256, when set, is the hex checksum the plugin binary must have
	// (go-plugin SecureConfig); a mismatch refuses to start it.
	SHA256 string
	// Logger receives the plugin's log lines, named by instance; nil uses
	// Config.Logger, and then discards.
	Logger hclog.Logger
	// NoFirstInfo, for a source the run may not touch (its user's areas
	// want none of its kinds), keeps Configure free of I/O: by default
	// Configure also answers the first Info, which may log in.
	NoFirstInfo bool
}

// StartTimeout bounds how long a plugin may take to start and complete
// the handshake (antivirus scans and cold caches make first starts slow).
const StartTimeout = 15 * time.Second

// passedEnv are the host variables a plugin process gets: what programs
// need to find temp dirs, locales, certificates and proxies. Secrets are
// resolved by the host and sent in the options, never through the
// environment (go-plugin's SkipHostEnv).
var passedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TEMP", "TMP", "TZ",
	"LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "XDG_RUNTIME_DIR",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"GOCOVERDIR", "GORACE", wire.CPUProfileEnv,
	// The Go runtime's settings an operator gives gwsync hold for its
	// plugins too.
	"GOGC", "GOMEMLIMIT", "GOMAXPROCS",
}

// OpenSource starts the plugin process of l and returns its source. The
// result implements TimeWriter and Exporter; Info says which work. Close
// kills the process. Errors: a plugin that fails to start (with its last
// stderr lines), a checksum mismatch, and the adapter's constructor errors
// with their codes (InvalidConfig, ...). ctx bounds the start.
func OpenSource(ctx context.Context, l Launch) (adapters.Source, error) {
	p, cp, err := start(ctx, l)
	if err != nil {
		return nil, err
	}
	return dialSource(ctx, cp, l.Adapter, l.Config, !l.NoFirstInfo, processRemote(l, p))
}

// OpenSink starts the plugin process of l and returns its sink. Close
// kills the process. Errors as for OpenSource.
func OpenSink(ctx context.Context, l Launch) (adapters.Sink, error) {
	p, cp, err := start(ctx, l)
	if err != nil {
		return nil, err
	}
	return dialSink(ctx, cp, l.Adapter, l.Config, processRemote(l, p))
}

func processRemote(l Launch, p *process) *remote {
	return &remote{name: wire.InstanceLabel(l.Adapter, l.Config.Name), proc: p, close: func() error { p.kill(); return nil }}
}

// start launches the plugin and completes the handshake, or kills it.
func start(ctx context.Context, l Launch) (*process, plugin.ClientProtocol, error) {
	if l.Adapter == "" {
		return nil, nil, adapters.Errorf(adapters.CodeInvalidConfig, "plugin launch without an adapter name")
	}
	cmd, err := l.command()
	if err != nil {
		return nil, nil, err
	}
	secure, err := secureConfig(l.SHA256)
	if err != nil {
		return nil, nil, err
	}
	logger := l.logger()
	tail := newStderrTail(tailLines)
	sockets, err := newSocketDir()
	if err != nil {
		return nil, nil, fmt.Errorf("plugin %s: %w", l.Config.Name, err)
	}
	cmd.Env = append(append(hostEnv(logger), sockets.env()...), cmd.Env...)
	dieWithParent(cmd)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{ProtocolVersion: PluginSet()},
		Cmd:              cmd,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         sockets.needsTLS(),
		SkipHostEnv:      true,
		Managed:          true,
		Logger:           logger,
		Stderr:           tail,
		SyncStdout:       outputMonitor{logger: logger, stream: "stdout"},
		SyncStderr:       outputMonitor{logger: logger, stream: "stderr"},
		GRPCDialOptions:  dialOptions(),
		StartTimeout:     StartTimeout,
	})
	p := &process{client: client, stderr: tail, sockets: sockets}

	// client.Client() knows no ctx; run it aside so a cancelled ctx can
	// abandon a slow start (and kill the child).
	type started struct {
		cp  plugin.ClientProtocol
		err error
	}
	done := make(chan started, 1)
	go func() {
		cp, err := client.Client()
		done <- started{cp, err}
	}()
	select {
	case s := <-done:
		if s.err != nil {
			p.kill()
			return nil, nil, p.startError(fmt.Errorf("plugin %s: start %s: %w", l.Config.Name, cmd.Path, s.err))
		}
		return p, s.cp, nil
	case <-ctx.Done():
		// Kill waits for Start's lock, so reap the child once Start ends.
		go func() {
			<-done
			p.kill()
		}()
		return nil, nil, ctx.Err()
	}
}

// ownExecutable is this binary's path, asked once: every built-in launch
// and every pool lookup (poolKey) needs it, and os.Executable reads
// /proc/self/exe each time. A binary replaced while gwsync runs (an
// upgrade) is still re-executed by the path it started from, as before.
var ownExecutable = sync.OnceValues(os.Executable)

func (l Launch) command() (*exec.Cmd, error) {
	if l.Cmd != nil {
		return l.Cmd, nil
	}
	exe, err := ownExecutable()
	if err != nil {
		return nil, fmt.Errorf("plugin %s: cannot find own executable to run built-in %q: %w", l.Config.Name, l.Adapter, err)
	}
	return exec.Command(exe, "plugin", "serve", l.Adapter), nil
}

func (l Launch) logger() hclog.Logger {
	base := l.Logger
	if base == nil {
		base = l.Config.Logger
	}
	if base == nil {
		base = hclog.NewNullLogger()
	}
	return base.Named(wire.InstanceLabel(l.Adapter, l.Config.Name))
}

// secureConfig pins the plugin binary's SHA-256 when one is configured.
// Errors: InvalidConfig for a checksum that is not 64 hex digits.
func secureConfig(sum string) (*plugin.SecureConfig, error) {
	if sum == "" {
		return nil, nil
	}
	raw, err := hex.DecodeString(sum)
	if err != nil || len(raw) != sha256.Size {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "sha256 %q is not 64 hex digits", sum)
	}
	return &plugin.SecureConfig{Checksum: raw, Hash: sha256.New()}, nil
}

// hostEnv is the part of the host's environment a plugin gets.
func hostEnv(logger hclog.Logger) []string {
	var env []string
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, wire.LogLevelEnv+"="+logger.GetLevel().String())
}
