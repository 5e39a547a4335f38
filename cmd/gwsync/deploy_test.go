package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The deployment files: the image builds the binary with the release
// command (scripts/build.sh) and runs a command line this binary accepts;
// the systemd unit verifies and starts `serve` with accepted flags. No
// container engine runs here, so the image itself is not built.

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContainerfileBuildsTheReleaseCommand(t *testing.T) {
	cf := readRepoFile(t, "deploy/Containerfile")
	if !regexp.MustCompile(`(?m)^RUN .*scripts/build\.sh /out/gwsync`).MatchString(cf) {
		t.Error("the Containerfile does not build with scripts/build.sh")
	}
	if !regexp.MustCompile(`(?m)^FROM scratch$`).MatchString(cf) ||
		!strings.Contains(cf, "COPY --from=build /out/gwsync /usr/local/bin/gwsync") ||
		!strings.Contains(cf, `ENTRYPOINT ["/usr/local/bin/gwsync"]`) {
		t.Errorf("the final stage is not the static binary on scratch:\n%s", cf)
	}
	if !regexp.MustCompile(`(?m)^USER [1-9]`).MatchString(cf) {
		t.Error("the image runs as root")
	}
	// The release command: static, trimmed, stamped.
	out, err := exec.Command("bash", filepath.Join("..", "..", "scripts", "build.sh"), "--print", "/out/gwsync").CombinedOutput()
	if err != nil {
		t.Fatalf("build.sh --print: %v\n%s", err, out)
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", "main.version=", "main.commit=", "-o /out/gwsync ./cmd/gwsync"} {
		if !strings.Contains(strings.ReplaceAll(string(out), `\ `, " "), want) {
			t.Errorf("build command lacks %q: %s", want, out)
		}
	}
	// The image's command line is one this binary accepts.
	m := regexp.MustCompile(`(?m)^CMD \["([^"]+)"\]`).FindStringSubmatch(cf)
	if m == nil {
		t.Fatal("no CMD")
	}
	if r := runBinary(t, gwsyncBin, m[1], "-h"); r.code != 0 {
		t.Errorf("CMD %s: exit %d: %s", m[1], r.code, r.stderr)
	}
}

func TestSystemdUnit(t *testing.T) {
	unit := readRepoFile(t, "deploy/gwsync.service")
	m := regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/gwsync (.*)$`).FindStringSubmatch(unit)
	if m == nil {
		t.Fatal("no ExecStart of /usr/local/bin/gwsync")
	}
	args := strings.Fields(m[1])
	if args[0] != "serve" {
		t.Errorf("the unit runs %q, want serve", args[0])
	}
	if r := runBinary(t, gwsyncBin, append(args, "-h")...); r.code != 0 {
		t.Errorf("ExecStart's flags are refused: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=gwsync", "ProtectSystem=strict", "ProtectHome=yes",
		"NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n", "KillSignal=SIGTERM"} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: the unit's syntax is not verified")
		return
	}
	path := filepath.Join(t.TempDir(), "gwsync.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/gwsync", gwsyncBin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
