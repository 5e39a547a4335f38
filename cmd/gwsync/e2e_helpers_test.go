package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/sdk"
)

// The end-to-end tests run the real gwsync binary, built once, with its
// adapters out of process (the default), against files in a temp dir.

var gwsyncBin string

func TestMain(m *testing.M) {
	// The opener's tests start built-ins by re-executing os.Executable,
	// which is this test binary: serve like `gwsync plugin serve NAME`.
	if len(os.Args) == 4 && os.Args[1] == "plugin" && os.Args[2] == "serve" {
		if err := sdk.ServeBuiltin(os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// `gwsync plugin test`'s test starts this binary as a deliberately
	// broken sink plugin (plugin_test_e2e_test.go).
	switch os.Getenv(brokenSinkEnv) {
	case "1":
		serveBrokenSink()
		os.Exit(0)
	case brokenWhenPooled:
		serveSharedStoreSink()
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "gwsync-e2e-")
	if err != nil {
		panic(err)
	}
	gwsyncBin = filepath.Join(dir, "gwsync")
	out, err := exec.Command("go", "build", "-o", gwsyncBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building gwsync: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// site is one temp set-up: a config, a calendar dir, a mail dir, state and CRM.
type site struct {
	t      *testing.T
	dir    string
	config string
	cal    string
	mail   string
	crmDSN string
}

func newSite(t *testing.T, extraUserYAML string) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{t: t, dir: dir, config: filepath.Join(dir, "gwsync.yaml"), cal: filepath.Join(dir, "calendar"),
		mail: filepath.Join(dir, "mail"), crmDSN: "sqlite:" + filepath.Join(dir, "crm.db")}
	for _, d := range []string{s.cal, s.mail} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`state: sqlite:./state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:./crm.db", create_contacts: true}}
defaults: {window: {past: 10y, future: 10y}, conflict: newest-wins, time_zone: Europe/Berlin}
users:
  - name: sam
    email: sam.seller@example.com
    export_to: files
    sources:
      - {name: files, plugin: files, options: {calendar_dir: ./calendar, mail_dir: ./mail}}
%s`, extraUserYAML)
	if err := os.WriteFile(s.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// copyDir copies the files of src (recursively) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type runResult struct {
	code   int
	stdout string
	stderr string
}

func (s *site) gwsync(args ...string) runResult {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gwsyncBin, append(args, "--config", s.config)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("running gwsync %v: %v", args, err)
	}
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// mustRun runs gwsync and fails the test unless it exits with want.
func (s *site) mustRun(want int, args ...string) runResult {
	s.t.Helper()
	r := s.gwsync(args...)
	if r.code != want {
		s.t.Fatalf("gwsync %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, want, r.stdout, r.stderr)
	}
	return r
}

// plan runs `gwsync plan --json`, which exits 3 exactly when a source
// could not be listed (unreadable items are shown, and settled by runs).
func (s *site) plan() engine.Plan {
	s.t.Helper()
	r := s.gwsync("plan", "--json")
	var p engine.Plan
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		s.t.Fatalf("plan --json: exit %d: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	listing := false
	for _, pr := range p.Problems {
		listing = listing || pr.ItemID == ""
	}
	if want := map[bool]int{false: exitOK, true: exitPartial}[listing]; r.code != want {
		s.t.Fatalf("plan --json with %d problems: exit %d, want %d\n%s", len(p.Problems), r.code, want, r.stderr)
	}
	return p
}

func (s *site) activities() []activityJSON {
	s.t.Helper()
	r := s.mustRun(0, "activities", "--json")
	var out []activityJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		s.t.Fatalf("activities --json: %v\n%s", err, r.stdout)
	}
	return out
}

func (s *site) crm() *crmsql.Store {
	s.t.Helper()
	st, err := crmsql.OpenStore(context.Background(), s.crmDSN)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { st.Close() })
	return st
}

// writeItems writes generated items into the site's dirs.
func (s *site) writeItems(items []adapters.Item) {
	s.t.Helper()
	tmp := s.t.TempDir()
	if _, err := files.WriteFixture(tmp, items); err != nil {
		s.t.Fatal(err)
	}
	copyDir(s.t, filepath.Join(tmp, "calendar"), s.cal)
	copyDir(s.t, filepath.Join(tmp, "mail"), s.mail)
}
