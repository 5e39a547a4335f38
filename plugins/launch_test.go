package plugins

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/hashicorp/go-hclog"
)

func TestExternalCommandFindsExecutablePlugin(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permissions")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "gwsync-plugin-crm")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gwsync-plugin-plain"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, err := ExternalCommand(dir, "crm")
	if err != nil || cmd.Path != exe {
		t.Fatalf("got %v, %v; want %s", cmd, err, exe)
	}
	for _, name := range []string{"plain", "missing", "../crm", "", ".."} {
		if _, err := ExternalCommand(dir, name); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
			t.Errorf("%q: got %v, want InvalidConfig", name, err)
		}
	}
}

func TestSecureConfigNeedsAFullSHA256(t *testing.T) {
	if c, err := secureConfig(""); c != nil || err != nil {
		t.Fatalf("no checksum: %v %v", c, err)
	}
	if _, err := secureConfig("abc"); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("short checksum: %v", err)
	}
	sum := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if c, err := secureConfig(sum); err != nil || len(c.Checksum) != 32 {
		t.Fatalf("good checksum: %v %v", c, err)
	}
}

func TestPluginsGetTheRuntimeSettingsButNoSecrets(t *testing.T) {
	t.Setenv("GOGC", "400")
	t.Setenv("GOMEMLIMIT", "1GiB")
	t.Setenv("GWSYNC_TEST_SECRET", "hunter2")
	env := map[string]bool{}
	for _, kv := range hostEnv(hclog.NewNullLogger()) {
		env[kv] = true
	}
	for _, want := range []string{"GOGC=400", "GOMEMLIMIT=1GiB"} {
		if !env[want] {
			t.Errorf("plugin environment lacks %s", want)
		}
	}
	if env["GWSYNC_TEST_SECRET=hunter2"] {
		t.Error("plugin environment carries a variable that is not passed on")
	}
}
