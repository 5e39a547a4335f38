package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOptionsReadsAnOptionsBlockLikeTheConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "options.yaml")
	t.Setenv("GWSYNC_TEST_TOKEN", "s3cret")
	if err := os.WriteFile(path, []byte("data_dir: crm\ntoken: ${env:GWSYNC_TEST_TOKEN}\nbatch: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := LoadOptions(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	if !strings.Contains(got, `"token":"s3cret"`) || !strings.Contains(got, `"batch":5`) || !strings.Contains(got, filepath.Join(dir, "crm")) {
		t.Fatalf("options %s: want the secret expanded, the number kept and data_dir made absolute", got)
	}
}

func TestLoadOptionsNamesTheLineOfAProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "options.yaml")
	if err := os.WriteFile(path, []byte("url: x\ntoken: ${env:GWSYNC_TEST_NOT_SET_ANYWHERE}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOptions(path)
	if err == nil || !strings.Contains(err.Error(), "options.yaml:2") {
		t.Fatalf("got %v, want an error at options.yaml:2", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	_ = os.WriteFile(empty, nil, 0o600)
	if raw, err := LoadOptions(empty); err != nil || string(raw) != "{}" {
		t.Fatalf("empty file: %s, %v", raw, err)
	}
}
