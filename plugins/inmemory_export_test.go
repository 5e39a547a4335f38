package plugins

import (
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gwsync/gwsync/sdk/server"
)

// MustServeInMemory is ServeInMemory serving every registered adapter for
// a test; the cleanup closes a connection nobody closed.
func MustServeInMemory(t testing.TB) plugin.ClientProtocol {
	t.Helper()
	cp, err := ServeInMemory(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Close() })
	return cp
}

// MustServeInMemoryWith is MustServeInMemory with options for the gRPC
// server, such as interceptors that watch the calls.
func MustServeInMemoryWith(t testing.TB, opts ...grpc.ServerOption) plugin.ClientProtocol {
	t.Helper()
	cp, err := serveInMemory(server.Options{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Close() })
	return cp
}
