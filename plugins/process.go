package plugins

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/sdk/wire"
)

// process is a running plugin child as the host sees it: the go-plugin
// client that owns it and the tail of its stderr.
type process struct {
	client  *plugin.Client
	stderr  *stderrTail
	sockets socketDir
}

// exitGrace is how long a failed call waits for a dying plugin to be
// reaped before deciding it is still alive: the broken stream usually
// arrives a moment before go-plugin notices the exit.
const exitGrace = time.Second

// killTimeout bounds Kill: go-plugin waits 2 s for a graceful exit and then
// kills, but its gRPC Close has been seen to hang (hashicorp/terraform#38939).
const killTimeout = 10 * time.Second

// waitExited reports whether the process has exited, waiting up to d.
func (p *process) waitExited(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if p.client.Exited() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill stops the process, giving up after killTimeout.
func (p *process) kill() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.client.Kill()
	}()
	select {
	case <-done:
		p.sockets.remove()
	case <-time.After(killTimeout):
	}
}

// crashError explains a call that failed because the plugin died: what the
// call saw, and the last lines the plugin wrote to stderr (a panic).
// The plugin's output comes last, as it is the longest part.
func (p *process) crashError(code adapters.Code, cause error) error {
	msg := cause.Error() + "; the plugin process exited"
	if lines := p.stderr.Lines(); len(lines) > 0 {
		msg += "; its last output:\n\t" + strings.Join(lines, "\n\t")
	}
	return &adapters.Error{Code: code, Msg: msg}
}

// startError explains a plugin that did not start (bad handshake, wrong
// checksum, crash at start) with its last output.
func (p *process) startError(err error) error {
	if lines := p.stderr.Lines(); len(lines) > 0 {
		err = fmt.Errorf("%w; its last output:\n\t%s", err, strings.Join(lines, "\n\t"))
	}
	return err
}

// remote is what the host-side Source and Sink share: how to name the
// instance in errors, how to explain failures, and how to close.
type remote struct {
	name  string
	proc  *process     // nil for a connection without a child (tests)
	close func() error // kills the child, closes the connection, or releases a pooled instance
	once  onceErr
	// instance names this adapter in a process serving several (a Pool);
	// "" for the single instance of a process or connection of its own.
	instance string
	// instances is set by Configure when the plugin said it keeps named
	// instances apart (wire.InstancesHeader).
	instances bool
	// crashCode is the code of a call that failed because the process
	// died: Unknown for a process of its own (a plugin that crashes on
	// some input would crash again), Temporary in a pool (another
	// instance's work may have killed it, and the next Open gets a new one).
	crashCode adapters.Code
}

// outgoing names r's instance on a call's context.
func (r *remote) outgoing(ctx context.Context) context.Context {
	return wire.WithInstance(ctx, r.instance)
}

// sawInstances records whether Configure's response header announced
// named instances.
func (r *remote) sawInstances(header metadata.MD) {
	r.instances = r.instance != "" && len(header.Get(wire.InstancesHeader)) > 0
}

// callError turns a failed call into the error the engine sees: the
// adapter's own code when the plugin answered, ctx.Err() when the host gave
// up, and a crash report with the plugin's last output when it died.
func (r *remote) callError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, isStatus := status.FromError(err); !isStatus {
		return err // made on this side (a protocol check), not by gRPC
	}
	if wire.HasStatusDetail(err) || ctx.Err() != nil || r.proc == nil {
		return wire.CallErrorFromWire(ctx, err)
	}
	if r.proc.waitExited(exitGrace) {
		return r.proc.crashError(r.crashCode, wire.CallErrorFromWire(ctx, err))
	}
	return wire.CallErrorFromWire(ctx, err)
}

// incomplete is the error of a listing that the plugin ended without its
// end marker or with a wrong count. It is never CodeUnknown-free of
// detail: if the plugin died, the crash report says why.
func (r *remote) incomplete(format string, args ...any) error {
	err := adapters.Errorf(adapters.CodeUnknown, "plugin %s: "+format+"; the listing is incomplete", append([]any{r.name}, args...)...)
	if r.proc != nil && r.proc.waitExited(exitGrace/10) {
		return r.proc.crashError(r.crashCode, err)
	}
	return err
}

// Close closes once; later calls return the first result.
func (r *remote) Close() error { return r.once.do(r.close) }
