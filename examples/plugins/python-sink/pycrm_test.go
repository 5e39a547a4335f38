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
	"strings"
	"testing"

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
func python(t *testing.T) string {
	return testenv.Var(t, "PYTHON_GRPC")
}

func pluginPath(t *testing.T) string {
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
