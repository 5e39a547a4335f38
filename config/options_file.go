package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
)

// LoadOptions reads a file that holds one adapter's options, what a config
// entry's `options:` block holds, as `gwsync plugin test --config` takes
// them. It applies the rules of the config file: ${env:NAME} expanded,
// relative paths resolved against the file's directory. An empty file is
// no options ({}).
//
// Errors: the error of os.ReadFile, otherwise an *Errors naming file:line.
func LoadOptions(path string) (json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return json.RawMessage(`{}`), nil
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	d := newDecoder(path, dir)
	d.budget = max(d.budget, len(data))
	root, ok := d.document(data)
	if !ok {
		return nil, d.errs.err()
	}
	raw, _, ok := d.options(root, "")
	if !ok {
		return nil, d.errs.err()
	}
	if raw == nil {
		raw = json.RawMessage(`{}`)
	}
	return raw, nil
}
