//go:build unix

package plugins_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// The first plugin a process starts removes the socket directories of
// processes that are gone (a worker killed with SIGKILL leaves its
// children's behind), and keeps those of live processes and directories
// it did not name.
func TestSocketDirectoriesOfDeadProcessesAreSwept(t *testing.T) {
	tmp, err := os.MkdirTemp("", "s") // short: socket paths have 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)

	// A PID that surely ran and is gone: a child that exited and was reaped.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(tmp, "gwsync-plugin-"+strconv.Itoa(gone.Process.Pid)+"-123")
	alive := filepath.Join(tmp, "gwsync-plugin-1-456") // PID 1 always runs
	unnamed := filepath.Join(tmp, "gwsync-plugin-789") // an old name without a PID
	for _, d := range []string{dead, alive, unnamed} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}

	plugins.ResetSocketSweepForTest()
	opts, _ := json.Marshal(map[string]int{"items": 1})
	src, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("plugintest-bench", adapters.Config{Name: "sweep", Options: opts}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead process's directory %s is still there (%v)", dead, err)
	}
	for _, d := range []string{alive, unnamed} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
	own, _ := filepath.Glob(filepath.Join(tmp, "gwsync-plugin-"+strconv.Itoa(os.Getpid())+"-*"))
	if len(own) != 1 {
		t.Errorf("this process's socket directories: %v, want one named with its PID", own)
	}
}
