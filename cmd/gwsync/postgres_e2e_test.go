package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// examples/postgres.yaml works as documented: state and CRM in one
// PostgreSQL database, the DSN from the environment. A first sync imports
// the sample data, a second one finds nothing new, and status reads the
// journal back from PostgreSQL.
func TestPostgresExampleConfig(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	dir := t.TempDir()
	// A copy: the files source writes exports next to the sample data.
	copyDir(t, filepath.Join("..", "..", "examples"), filepath.Join(dir, "examples"))
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart"), filepath.Join(dir, "testdata", "quickstart"))
	config := filepath.Join(dir, "examples", "postgres.yaml")
	run := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(gwsyncBin, append(args, "--config", config)...)
		cmd.Env = append(os.Environ(), "GWSYNC_STATE_DSN="+dsn)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), 0
	}
	if out, code := run("config", "check"); code != 0 {
		t.Fatalf("config check: exit %d\n%s", code, out)
	}
	out, code := run("sync", "--yes", "--json")
	if code != 0 {
		t.Fatalf("first sync: exit %d\n%s", code, out)
	}
	if created := countOf(t, out, "create"); created == 0 {
		t.Fatalf("first sync created nothing:\n%s", out)
	}
	out, code = run("sync", "--yes", "--json")
	if code != 0 {
		t.Fatalf("second sync: exit %d\n%s", code, out)
	}
	if created := countOf(t, out, "create"); created != 0 {
		t.Fatalf("second sync created %d again:\n%s", created, out)
	}
	if out, code := run("status"); code != 0 || !strings.Contains(out, "sam") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
}

// countOf reads result.counts[kind] of `sync --json`.
func countOf(t *testing.T, out, kind string) int {
	t.Helper()
	var doc struct {
		Result struct {
			Counts map[string]int `json:"counts"`
		} `json:"result"`
	}
	start := strings.Index(out, "{")
	if start < 0 {
		t.Fatalf("no JSON in:\n%s", out)
	}
	if err := json.NewDecoder(strings.NewReader(out[start:])).Decode(&doc); err != nil {
		t.Fatalf("sync --json: %v\n%s", err, out)
	}
	return doc.Result.Counts[kind]
}
