package plugins

import (
	"testing"

	"github.com/hashicorp/go-plugin"

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
