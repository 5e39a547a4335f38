package plugins_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// A plugin child listens on a Unix socket in a directory only this user
// can enter (that replaces AutoMTLS), and the directory goes with the
// child.
func TestPluginSocketIsInAPrivateDirectoryRemovedOnClose(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("plugins listen on TCP with AutoMTLS on Windows")
	}
	tmp, err := os.MkdirTemp("", "s") // short: socket paths have 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)
	opts, _ := json.Marshal(map[string]int{"items": 1})
	src, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("plugintest-bench", adapters.Config{Name: "sock", Options: opts}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "gwsync-plugin-*"))
	if len(dirs) != 1 {
		t.Fatalf("socket directories in TMPDIR: %v, want one", dirs)
	}
	fi, err := os.Stat(dirs[0])
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory %s: %v, %v; want mode 0700", dirs[0], fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dirs[0])
	if len(entries) != 1 || entries[0].Type()&os.ModeSocket == 0 {
		t.Fatalf("socket directory holds %v, want the plugin's socket", entries)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Fatalf("socket directory left after Close: %v", err)
	}
}

// A Unix socket path has at most 108 bytes; a deep TMPDIR (t.TempDir is
// one) must not keep plugins from starting.
func TestPluginStartsWithADeepTMPDIR(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("plugins listen on TCP on Windows")
	}
	deep := filepath.Join(t.TempDir(), "a-directory-name-that-makes-the-path-long-enough-to-overflow-a-socket-path")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", deep)
	opts, _ := json.Marshal(map[string]int{"items": 1})
	src, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("plugintest-bench", adapters.Config{Name: "deep", Options: opts}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
}
