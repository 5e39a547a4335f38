package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `gwsync config check` compares a pinned external plugin with its
// sha256, so a rebuilt plugin shows before a run fails to start it.
func TestConfigCheckComparesAPinnedPluginWithItsFile(t *testing.T) {
	s := newSite(t, "")
	pluginDir := filepath.Join(s.dir, "plugins")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	plugin := builtinPlugin(t, pluginDir, "mycrm")
	content, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	original := mustRead(t, s.config)
	pin := func(sha string) {
		cfg := strings.Replace(original, "crm: {plugin: crmsql, options: {dsn: \"sqlite:./crm.db\", create_contacts: true}}",
			"plugin_dir: ./plugins\ncrm: {plugin: mycrm, sha256: "+sha+", options: {dsn: \"sqlite:./crm.db\"}}", 1)
		if err := os.WriteFile(s.config, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pin(hex.EncodeToString(sum[:]))
	if r := s.mustRun(exitOK, "config", "check"); !strings.Contains(r.stdout, "OK") {
		t.Fatalf("right pin: %s", r.stdout)
	}
	wrong := strings.Repeat("ab", 32)
	pin(wrong)
	r := s.mustRun(exitError, "config", "check")
	if !strings.Contains(r.stdout, "gwsync.yaml:3:") || !strings.Contains(r.stdout, "not the pinned "+wrong) {
		t.Fatalf("wrong pin: config check says\n%s\n%s", r.stdout, r.stderr)
	}
}
