package plugins_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/sdk/wire"
)

// TestPluginCPUProfile: with wire.CPUProfileEnv in the host's environment
// a plugin process writes its CPU profile to PREFIX-PID.pprof, complete
// once the host closed it: the host passes the variable on, and the
// plugin stops the profile when it is shut down.
func TestPluginCPUProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(wire.CPUProfileEnv, filepath.Join(dir, "plugin"))
	pool := plugins.NewPool(plugins.PoolOptions{})
	defer pool.Close()
	src, err := pool.OpenSource(context.Background(), conformance.SubprocessLaunch("memory", adapters.Config{Name: "mail", Options: []byte(`{"store":"cpuprofile"}`)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	src.Close()
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "plugin-*.pprof"))
	if len(files) != 1 {
		t.Fatalf("profiles %v, want one", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b { // gzipped protobuf
		t.Errorf("%s is not a finished CPU profile (%d bytes)", files[0], len(b))
	}
}
