package plugins

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/server"
	"github.com/gwsync/gwsync/sdk/wire"
)

// Handshake and ProtocolVersion are the plugin side's (sdk/server), named
// here for the host's readers.
var Handshake = server.Handshake

// ProtocolVersion is the go-plugin protocol version of gwsync.plugin.v1.
const ProtocolVersion = server.ProtocolVersion

// adapterPlugin is the go-plugin Plugin of gwsync as the host sees it: the
// SDK's server half (used only when a test serves in process) plus the
// host's stubs.
type adapterPlugin struct {
	server.Plugin
}

// GRPCClient returns the host's stubs for both services.
func (p *adapterPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return newWireClients(conn), nil
}

func newWireClients(conn grpc.ClientConnInterface) *wireClients {
	return &wireClients{source: pb.NewSourceServiceClient(conn), sink: pb.NewSinkServiceClient(conn)}
}

// wireClients is what the host dispenses from a plugin process.
type wireClients struct {
	source pb.SourceServiceClient
	sink   pb.SinkServiceClient
}

// PluginSet is the go-plugin plugin set a host dispenses from.
func PluginSet() plugin.PluginSet {
	return plugin.PluginSet{server.PluginName: &adapterPlugin{}}
}

func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(wire.MaxMessageBytes),
		grpc.MaxCallSendMsgSize(wire.MaxMessageBytes),
	)}
}

var (
	_ plugin.Plugin     = (*adapterPlugin)(nil)
	_ plugin.GRPCPlugin = (*adapterPlugin)(nil)
)
