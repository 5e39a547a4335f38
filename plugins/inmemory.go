package plugins

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/gwsync/gwsync/sdk/server"
)

// ServeInMemory serves the plugin protocol inside this process, for tests
// and examples: the server is the one a plugin process runs
// (server.NewGRPCServer and server.Plugin, so the same snapshot encoder and
// codec), reached over an in-memory connection instead of a socket. Pass
// the result to DialSource or DialSink; closing it (the adapter's Close)
// stops the server.
func ServeInMemory(opts server.Options) (plugin.ClientProtocol, error) {
	return serveInMemory(opts, nil)
}

// serveInMemory is ServeInMemory with options for the gRPC server (a
// test's interceptors).
func serveInMemory(opts server.Options, grpcOpts []grpc.ServerOption) (plugin.ClientProtocol, error) {
	lis := bufconn.Listen(1 << 20)
	srv := server.NewGRPCServer(grpcOpts)
	env := server.NewEnv(opts)
	p := &server.Plugin{Env: env}
	if err := p.GRPCServer(nil, srv); err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///gwsync-in-memory",
		append(dialOptions(),
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("plugin: in-memory connection: %w", err)
	}
	return &memoryConn{conn: conn, srv: srv, env: env, clients: newWireClients(conn)}, nil
}

// memoryConn is the plugin.ClientProtocol of ServeInMemory.
type memoryConn struct {
	conn    *grpc.ClientConn
	srv     *grpc.Server
	env     *server.Env
	once    sync.Once
	clients *wireClients
}

func (m *memoryConn) Dispense(name string) (any, error) {
	if name != server.PluginName {
		return nil, fmt.Errorf("plugin: no plugin %q in process, only %q", name, server.PluginName)
	}
	return m.clients, nil
}

func (m *memoryConn) Ping() error { return nil }

// Close ends the connection and the server and closes the adapters the
// server built, as a plugin process does when its host disconnects.
// Closing again does nothing.
func (m *memoryConn) Close() error {
	var err error
	m.once.Do(func() {
		err = m.conn.Close()
		m.srv.Stop()
		m.env.CloseAll()
	})
	return err
}
