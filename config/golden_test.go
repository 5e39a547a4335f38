package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/config/*.txt")

// goldenSeparator splits a golden file into the YAML input and the
// expected output (Caddy's *.caddyfiletest layout).
const goldenSeparator = "\n----------\n"

// goldenDir is the pretend directory of every golden config. It is fixed,
// not a temporary directory, so resolved paths in the expected output do
// not depend on the machine.
var goldenDir = filepath.FromSlash("/srv/gwsync")

// goldenEnv is the environment golden configs see.
var goldenEnv = map[string]string{
	"GWSYNC_TEST_USER":     "alice",
	"GWSYNC_TEST_PASSWORD": "s3cret$",
	"GWSYNC_TEST_EMPTY":    "",
	"GWSYNC_TEST_DATA":     "data/mail",
}

func lookupGoldenEnv(name string) (string, bool) {
	v, ok := goldenEnv[name]
	return v, ok
}

// TestGolden parses each testdata/config/*.txt and compares the result,
// the normalized Config as JSON or the exact error text, with the part
// after the separator. Run `go test ./config -update` to rewrite them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "config", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d golden files, want the whole suite", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(raw), "\r\n", "\n")
			input, want, found := strings.Cut(text, goldenSeparator)
			if !found {
				t.Fatalf("%s: no %q line between input and expected output", path, strings.TrimSpace(goldenSeparator))
			}
			got := goldenOutput(t, name+".yaml", input+"\n")
			if *update {
				if err := os.WriteFile(path, []byte(input+goldenSeparator+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("%s: output differs\n--- got:\n%s\n--- want:\n%s", path, got, want)
			}
		})
	}
}

// goldenOutput is what a golden file expects: indented JSON of the
// config, or the error text, each ending in a newline.
func goldenOutput(t *testing.T, file, input string) string {
	t.Helper()
	cfg, err := parse(file, goldenDir, []byte(input), lookupGoldenEnv)
	if err != nil {
		if _, ok := err.(*Errors); !ok {
			t.Fatalf("error of type %T, want *Errors: %v", err, err)
		}
		return err.Error() + "\n"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cfg); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
