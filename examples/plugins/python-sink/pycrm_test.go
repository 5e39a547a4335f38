//go:build unix

// Package pythonsink tests the example CRM sink written in Python
// (gwsync-plugin-pycrm) with the conformance suite, started as gwsync
// starts any external plugin. It holds no Go code besides its tests.
package pythonsink

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/internal/testenv"
	"github.com/gwsync/gwsync/plugins"
)

// pluginFile is the plugin executable, next to this file.
const pluginFile = "gwsync-plugin-pycrm"

// python is Debian's python3 with python3-grpcio
// (scripts/servers/python-grpc.sh); the test skips without it, and fails
// without it when GWSYNC_REQUIRE_SERVERS=1 (CI).
func python(t testing.TB) string {
	return testenv.Var(t, "PYTHON_GRPC")
}

func pluginPath(t testing.TB) string {
	p, err := filepath.Abs(pluginFile)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seed creates activities in a fresh CRM file as its users would, with
// the plugin's own `seed` command (the plugin owns the schema).
func seed(t *testing.T, py, db string, activities any) {
	t.Helper()
	in, err := json.Marshal(activities)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, pluginPath(t), "seed", db)
	cmd.Stdin = bytes.NewReader(in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s seed %s: %v\n%s", pluginFile, db, err, out)
	}
}

func TestConformance(t *testing.T) {
	py := python(t)
	conformance.RunExternalSink(t, conformance.SinkSuite{
		Adapter: "pycrm",
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			db := filepath.Join(t.TempDir(), "crm.db")
			seed(t, py, db, fx.Activities)
			opts, _ := json.Marshal(map[string]string{"database_file": db})
			return opts
		},
	}, func() *exec.Cmd { return exec.Command(py, pluginPath(t)) })
}

// TestStubsCurrent regenerates the Python stubs from the .proto files and
// compares them with the committed ones, so that a changed protocol
// cannot leave the Python plugin behind.
func TestStubsCurrent(t *testing.T) {
	python(t)
	out := t.TempDir()
	if b, err := exec.Command("sh", "gen.sh", out).CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, b)
	}
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		want, _ := os.ReadFile(path)
		got, rerr := os.ReadFile(filepath.Join("pycrm", "gen", rel))
		if rerr != nil || !bytes.Equal(got, want) {
			t.Errorf("pycrm/gen/%s is stale or missing: run examples/plugins/python-sink/gen.sh", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestErrorDetail: a failed call carries gwsync's exact code in the
// status detail the plugin encodes itself (no grpc_status module in
// Debian), so the host reads the plugin's own message, not gRPC's
// fallback ("plugin: …").
func TestErrorDetail(t *testing.T) {
	py := python(t)
	opts := json.RawMessage(`{"database_file": "crm.db", "databse": "typo"}`)
	_, err := plugins.OpenSink(context.Background(), plugins.Launch{
		Adapter: "pycrm",
		Config:  adapters.Config{Name: "crm", Options: opts},
		Cmd:     exec.Command(py, pluginPath(t)),
	})
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("unknown option: %v (code %s), want invalid-config", err, adapters.CodeOf(err))
	}
	if want := "crm: options: unknown option 'databse'"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start with %q (the plugin's detail)", err, want)
	}
}

// TestExitsWithHost: a plugin whose host is gone exits by itself (here a
// shell that starts it, reads the handshake line and exits; no
// PR_SET_PDEATHSIG is set).
func TestExitsWithHost(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	fifo := filepath.Join(dir, "handshake")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("sh", "-c", `"$0" "$1" </dev/null 2>/dev/null >"$3" & echo $! > "$2"; read line < "$3"`,
		py, pluginPath(t), pidFile, fifo)
	sh.WaitDelay = 5 * time.Second
	sh.Env = append(os.Environ(), "GWSYNC_PLUGIN=7f3c2a1e-gwsync-adapter-plugin", "PLUGIN_PROTOCOL_VERSIONS=1",
		"PLUGIN_UNIX_SOCKET_DIR="+t.TempDir())
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d still runs 10 s after its host exited", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
