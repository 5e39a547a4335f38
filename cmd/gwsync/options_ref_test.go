package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examples/full.yaml documents every option of every built-in adapter,
// generated from their declarations; `go test ./cmd/gwsync -run
// TestFullYAMLDocumentsEveryOption -update` rewrites that part.
func TestFullYAMLDocumentsEveryOption(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "full.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	writeOptionReference(&want)
	text := string(data)
	begin, end := strings.Index(text, optionsBegin), strings.Index(text, optionsEnd)
	if *update {
		if begin < 0 || end < begin {
			text = strings.TrimRight(text, "\n") + "\n\n" + want.String()
		} else {
			text = text[:begin] + want.String() + text[end+len(optionsEnd)+1:]
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if begin < 0 || end < begin {
		t.Fatalf("%s has no generated adapter options section (run with -update)", path)
	}
	if got := text[begin : end+len(optionsEnd)+1]; got != want.String() {
		t.Errorf("the adapter options in %s differ from the adapters' declarations (run with -update):\n%s", path, want.String())
	}
	for _, r := range registrations() {
		for _, o := range r.Options {
			if !strings.Contains(text, "#   "+o.Name+": (") {
				t.Errorf("%s does not document option %s of %s", path, o.Name, r.Name)
			}
		}
	}
	// No sha256 pin on a built-in in the examples.
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "plugin: caldav") || strings.Contains(line, "plugin: imap") {
			next := strings.Split(text, "\n")[i+1]
			if strings.Contains(next, "sha256:") {
				t.Errorf("%s:%d pins a sha256 on a built-in", path, i+2)
			}
		}
	}
}

func TestConfigSchema(t *testing.T) {
	r := runBinary(t, gwsyncBin, "config", "schema")
	var want bytes.Buffer
	writeOptionReference(&want)
	if r.code != 0 || r.stdout != want.String() {
		t.Errorf("config schema: exit %d\n%s", r.code, r.stdout)
	}
	r = runBinary(t, gwsyncBin, "config", "schema", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"plugin": "caldav"`) || !strings.Contains(r.stdout, `"Name": "ca_file"`) {
		t.Errorf("config schema --json: exit %d\n%s", r.code, r.stdout)
	}
}
