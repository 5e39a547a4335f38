package wire

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// One plugin process can serve several adapter instances (a worker's Pool
// reuses processes across users). A call names its instance in the gRPC
// metadata key InstanceKey; a call without it addresses the single unnamed
// instance, which is all a host before instances ever used. See the
// Instances paragraph of SourceService in plugins/proto.
const (
	// InstanceKey is the metadata key naming the instance a call is for.
	InstanceKey = "gwsync-instance"
	// InstancesHeader is the response header of a named Configure by which
	// a plugin says it keeps named instances apart. An older plugin ignores
	// the name and configures its single instance, so a host must not put
	// a second instance into a process that did not send it.
	InstancesHeader = "gwsync-instances"
)

// LogLevelEnv passes the host's log level to the plugin, so the plugin does
// not format entries the host would drop.
const LogLevelEnv = "GWSYNC_PLUGIN_LOG_LEVEL"

// CPUProfileEnv, set in the host's environment to a path prefix, makes
// every plugin process write its CPU profile to PREFIX-PID.pprof from its
// start until it exits (the host passes it on): so a benchmark sees the
// plugins' CPU, which the host's --cpuprofile does not hold. A process
// killed outright (SIGKILL, after the host's grace) writes an empty file.
const CPUProfileEnv = "GWSYNC_PLUGIN_CPUPROFILE"

// MaxMessageBytes bounds a gRPC message in both directions: bigger than
// gRPC's 4 MiB default (an export of a long-bodied appointment, a batch of
// big items) but bounded, so a runaway plugin yields an error rather than
// an OOM kill.
const MaxMessageBytes = 64 << 20

// Listings cross the wire in batches: one gRPC message per item would cost
// a frame, a flow-control round and a syscall per item, which is what makes
// a naive plugin protocol several times slower than in process. These
// bounds keep a message far below MaxMessageBytes and the plugin's memory
// bounded while amortising the per-message cost.
const (
	MaxBatchItems = 256
	MaxBatchBytes = 1 << 20
)

// InstanceOf is the instance name an incoming call carries; "" when none.
func InstanceOf(ctx context.Context) string {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok {
		return ""
	}
	if v := md.Get(InstanceKey); len(v) > 0 {
		return v[0]
	}
	return ""
}

// WithInstance names the instance in an outgoing call's metadata; "" leaves
// ctx alone (the unnamed instance).
func WithInstance(ctx context.Context, name string) context.Context {
	if name == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, InstanceKey, name)
}

// InstanceLabel is how logs and errors name an instance: its config name,
// or the adapter's when it has none.
func InstanceLabel(adapter, instance string) string {
	if instance == "" {
		return adapter
	}
	return instance
}
