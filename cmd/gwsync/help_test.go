package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of the help and completion tests")

// runBinary runs the built gwsync with a clean environment for its
// defaults and returns its exit code, stdout and stderr.
func runBinary(t *testing.T, bin string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "GWSYNC_CONFIG=")
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running gwsync %v: %v", args, err)
	}
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run 'go test ./cmd/gwsync -run %s -update' to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (rerun with -update after checking the change):\n--- got\n%s\n--- want\n%s", t.Name(), path, got, want)
	}
}

func TestHelpGolden(t *testing.T) {
	cases := []struct {
		golden string
		args   []string
	}{
		{"help/overview.golden", []string{"help"}},
		{"help/overview.golden", []string{"--help"}},
		{"help/overview.golden", []string{"-h"}},
		{"help/plan.golden", []string{"help", "plan"}},
		{"help/plan.golden", []string{"plan", "-h"}},
		{"help/plan.golden", []string{"plan", "--help"}},
		{"help/plan.golden", []string{"--help", "plan"}},
		{"help/sync.golden", []string{"help", "sync"}},
		{"help/config.golden", []string{"help", "config"}},
		{"help/config.golden", []string{"config", "check", "-h"}},
		{"help/completion.golden", []string{"help", "completion"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, "_"), func(t *testing.T) {
			r := runBinary(t, gwsyncBin, c.args...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if n := strings.Count(r.stdout, "Usage: gwsync"); n != 1 {
				t.Errorf("the help is printed %d times:\n%s", n, r.stdout)
			}
			golden(t, c.golden, r.stdout)
		})
	}
}

func TestHelpErrors(t *testing.T) {
	// No command: the overview on stderr and a usage error.
	r := runBinary(t, gwsyncBin)
	if r.code != exitUsage || !strings.Contains(r.stderr, "Usage: gwsync [global flags] COMMAND") || r.stdout != "" {
		t.Errorf("gwsync: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, gwsyncBin, "help", "nope")
	if r.code != exitUsage || !strings.Contains(r.stderr, `help: unknown command "nope"`) {
		t.Errorf("help nope: exit %d, stderr %q", r.code, r.stderr)
	}
	// A wrong flag is named once, without the whole help.
	r = runBinary(t, gwsyncBin, "plan", "--bogus")
	if r.code != exitUsage || strings.Contains(r.stderr, "Usage:") || !strings.Contains(r.stderr, "-bogus") {
		t.Errorf("plan --bogus: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestGlobalFlagsBeforeCommand(t *testing.T) {
	s := newSite(t, "")
	// Before the command, the global flags work as after it.
	for _, args := range [][]string{
		{"--config", s.config, "config", "check"},
		{"--config=" + s.config, "--log-level", "debug", "config", "check"},
		{"config", "check", "--config", s.config},
		{"-config", "elsewhere.yaml", "config", "check", "--config", s.config}, // after the command wins
	} {
		r := runBinary(t, gwsyncBin, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, s.config+": OK") {
			t.Errorf("gwsync %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runBinary(t, gwsyncBin, "--config", "missing.yaml", "plan")
	if r.code != exitError || !strings.Contains(r.stderr, "config file missing.yaml not found") {
		t.Errorf("--config missing.yaml plan: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runBinary(t, gwsyncBin, "--log-level", "loud", "--config", s.config, "plan")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown --log-level "loud"`) {
		t.Errorf("--log-level loud plan: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runBinary(t, gwsyncBin, "--frobnicate", "plan")
	if r.code != exitUsage || !strings.Contains(r.stderr, "-frobnicate") {
		t.Errorf("--frobnicate plan: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	r1 := runBinary(t, gwsyncBin, "--version")
	r2 := runBinary(t, gwsyncBin, "version")
	if r1.code != 0 || r2.code != 0 || r1.stdout != r2.stdout {
		t.Fatalf("--version and version differ: %+v %+v", r1, r2)
	}
	for _, want := range []string{"gwsync ", runtime.Version(), "plugin protocol: 1 (gwsync.plugin.v1)"} {
		if !strings.Contains(r1.stdout, want) {
			t.Errorf("--version lacks %q:\n%s", want, r1.stdout)
		}
	}
	// A release build stamps version and commit.
	bin := filepath.Join(t.TempDir(), "gwsync")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version=9.8.7 -X main.commit=0123abcd", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r := runBinary(t, bin, "--version")
	if !strings.HasPrefix(r.stdout, "gwsync 9.8.7\ncommit:          0123abcd") {
		t.Errorf("stamped --version:\n%s", r.stdout)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range shells {
		r := runBinary(t, gwsyncBin, "completion", sh)
		if r.code != 0 {
			t.Fatalf("completion %s: exit %d: %s", sh, r.code, r.stderr)
		}
		golden(t, "completion/gwsync."+sh, r.stdout)
		// The shell itself checks the syntax (scripts/servers/shells.sh
		// installs zsh and fish for the suite).
		if path, err := lookShell(t, sh); err == nil {
			script := filepath.Join(t.TempDir(), "gwsync."+sh)
			if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(path, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, out)
			}
		}
	}
	if r := runBinary(t, gwsyncBin, "completion", "tcsh"); r.code != exitUsage {
		t.Errorf("completion tcsh: exit %d", r.code)
	}
}

// TestBashCompletion runs the generated script in bash, as bash does on Tab.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := filepath.Join(t.TempDir(), "gwsync.bash")
	if err := os.WriteFile(script, []byte(runBinary(t, gwsyncBin, "completion", "bash").stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ line, want string }{
		{"gwsync pl", "plan plugin"},
		{"gwsync --config x.yaml pl", "plan plugin"},
		{"gwsync --log-level d", "debug"},
		{"gwsync sync --d", "--dry-run"},
		{"gwsync sync --user sam --y", "--yes"},
		{"gwsync config ", "check"},
		{"gwsync config check --c", "--config"},
		{"gwsync help sy", "sync"},
		{"gwsync completion z", "zsh"},
		{"gwsync --v", "--version"},
	}
	for _, c := range cases {
		words := strings.Fields(c.line)
		if strings.HasSuffix(c.line, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_gwsync\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != c.want {
			t.Errorf("completing %q: got %q, want %q", c.line, got, c.want)
		}
	}
}

// TestFishCompletion asks fish for completions with the generated script.
func TestFishCompletion(t *testing.T) {
	fish, err := lookShell(t, "fish")
	if err != nil {
		t.Skip("no fish")
	}
	script := filepath.Join(t.TempDir(), "gwsync.fish")
	if err := os.WriteFile(script, []byte(runBinary(t, gwsyncBin, "completion", "fish").stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"gwsync pl":        "plan\nplugin",
		"gwsync sync --d":  "--dry-run",
		"gwsync config ":   "check",
		"gwsync help disc": "discover",
	} {
		out, err := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", line, err, out)
		}
		var names []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			name, _, _ := strings.Cut(l, "\t")
			names = append(names, name)
		}
		if got := strings.Join(names, "\n"); got != want {
			t.Errorf("completing %q: got %q, want %q", line, got, want)
		}
	}
}

// lookShell finds a shell; in the suite (GWSYNC_REQUIRE_SERVERS=1) a
// missing one fails the test instead of quietly skipping its check.
func lookShell(t *testing.T, sh string) (string, error) {
	t.Helper()
	path, err := exec.LookPath(sh)
	if err != nil && os.Getenv("GWSYNC_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s is not installed: scripts/servers/shells.sh should have installed it", sh)
	}
	return path, err
}
