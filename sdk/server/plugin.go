package server

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// Handshake is the go-plugin handshake of gwsync plugins. The cookie only
// stops a plugin binary started by hand from waiting for a host forever; it
// is not a security measure (the private socket directory, AutoMTLS on
// Windows, and SecureConfig are).
var Handshake = plugin.HandshakeConfig{
	MagicCookieKey:   "GWSYNC_PLUGIN",
	MagicCookieValue: "7f3c2a1e-gwsync-adapter-plugin",
}

// ProtocolVersion is the go-plugin protocol version of gwsync.plugin.v1.
// A breaking change becomes gwsync.plugin.v2, served as version 2 next to
// 1 in VersionedPlugins (see the compatibility policy in docs/plugins.md).
const ProtocolVersion = 1

// PluginName is the one plugin every gwsync plugin process serves; it
// carries both services, and the host's Configure call decides which
// adapter (and role) a process runs.
const PluginName = "adapter"

// Plugin is the plugin side of gwsync's go-plugin Plugin: it registers
// SourceService and SinkService, served from Env. The host embeds it and
// adds GRPCClient.
type Plugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Env is the process's adapters; nil serves every registered adapter.
	Env *Env
}

// GRPCServer registers both services on s, which must come from
// NewGRPCServer (snapshots are sent pre-encoded; see wire.ServerCodec).
func (p *Plugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	env := p.Env
	if env == nil {
		env = NewEnv(Options{})
	}
	pb.RegisterSourceServiceServer(s, newSourceServer(env))
	pb.RegisterSinkServiceServer(s, newSinkServer(env))
	return nil
}

// GRPCClient is the host's half, which this package does not have.
func (p *Plugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("server.Plugin is the plugin side only; the host is package plugins")
}

// NewGRPCServer is the one gRPC server of the plugin protocol, for a real
// plugin process (go-plugin's ServeConfig.GRPCServer) and the in-memory
// transport alike: the message size limits and the codec that sends
// pre-encoded snapshot batches. opts are go-plugin's (TLS on Windows).
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts,
		grpc.MaxRecvMsgSize(wire.MaxMessageBytes),
		grpc.MaxSendMsgSize(wire.MaxMessageBytes),
		grpc.ForceServerCodecV2(wire.NewServerCodec()),
		grpc.NumStreamWorkers(streamWorkers),
	)
	return grpc.NewServer(opts...)
}

// streamWorkers is how many goroutines serve calls and are kept between
// them (gRPC starts a goroutine of its own for a call that finds them all
// busy). A call on a new goroutine grows its stack again through the
// adapter's depth (an IMAP snapshot): in a pooled plugin of the scale
// benchmark that copying was a tenth of the process's CPU (issue 12).
// A pooled process serves up to 32 instances at once by default.
const streamWorkers = 32

var (
	_ plugin.Plugin     = (*Plugin)(nil)
	_ plugin.GRPCPlugin = (*Plugin)(nil)
)
