package plugins

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
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
// A breaking change becomes gwsync.plugin.v2 served as version 2 next to 1.
const ProtocolVersion = 1

// pluginName is the one plugin every gwsync plugin process serves; it
// carries both services, and the host's Configure call decides which
// adapter (and role) a process runs.
const pluginName = "adapter"

// message size limits for both directions: bigger than gRPC's 4 MiB default
// (an export of a long-bodied appointment, a batch of big items) but
// bounded, so a runaway plugin yields an error rather than an OOM kill.
const maxMessageBytes = 64 << 20

// adapterPlugin is the go-plugin Plugin of gwsync; gRPC only.
type adapterPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// env is the plugin side's state; nil on the host.
	env *serveEnv
}

// GRPCServer registers both services on the plugin's gRPC server.
func (p *adapterPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	env := p.env
	if env == nil {
		env = newServeEnv("", nil)
	}
	pb.RegisterSourceServiceServer(s, newSourceServer(env))
	pb.RegisterSinkServiceServer(s, newSinkServer(env))
	return nil
}

// GRPCClient returns the host's stubs for both services.
func (p *adapterPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &wireClients{source: pb.NewSourceServiceClient(conn), sink: pb.NewSinkServiceClient(conn)}, nil
}

// wireClients is what the host dispenses from a plugin process.
type wireClients struct {
	source pb.SourceServiceClient
	sink   pb.SinkServiceClient
}

// PluginSet is the go-plugin plugin set of gwsync, serving any registered
// adapter. Hosts use it through OpenSource/OpenSink; tests pass it to
// plugin.TestPluginGRPCConn and then call DialSource/DialSink.
func PluginSet() plugin.PluginSet {
	return plugin.PluginSet{pluginName: &adapterPlugin{}}
}

func versionedPlugins(env *serveEnv) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {pluginName: &adapterPlugin{env: env}}}
}

func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(maxMessageBytes), grpc.MaxSendMsgSize(maxMessageBytes)}
}

func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(maxMessageBytes),
		grpc.MaxCallSendMsgSize(maxMessageBytes),
	)}
}

var (
	_ plugin.Plugin     = (*adapterPlugin)(nil)
	_ plugin.GRPCPlugin = (*adapterPlugin)(nil)
)
