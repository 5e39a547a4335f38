package config

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the configuration file at path, expands ${env:NAME}
// references, resolves relative paths against the file's directory,
// fills in defaults and validates everything.
//
// Errors: the error of os.ReadFile when the file cannot be read (it names
// the path; errors.Is(err, fs.ErrNotExist) works), otherwise an *Errors
// listing every problem in the file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load for a file already in memory. file is used in messages
// and as the base of relative paths. Errors: *Errors.
func Parse(file string, data []byte) (*Config, error) {
	dir := filepath.Dir(file)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return parse(file, dir, data, os.LookupEnv)
}

// parse decodes data with an explicit base directory and environment, so
// tests can pin both.
func parse(file, dir string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	d := newDecoder(file, dir)
	// A file without aliases has fewer nodes than bytes, so a budget of
	// its size bounds alias expansion to the file's own size while a large
	// honest file (10,000 users) is read whole.
	d.budget = max(d.budget, len(data))
	d.lookup = lookup
	root, ok := d.document(data)
	if !ok {
		return nil, d.errs.err()
	}
	c := &Config{File: file, Dir: dir}
	d.decodeFile(root, c)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	c.indexUsers()
	return c, nil
}

// document parses the YAML text and returns the root node of its only
// document. Syntax errors are recorded with the line YAML reports.
func (d *decoder) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errs.add(1, "", "empty file (a configuration needs at least crm: and users:)")
		} else {
			d.syntaxError(err, data)
		}
		return nil, false
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errs.add(next.Line, "", "a second YAML document (---); a configuration is one document")
		return nil, false
	case !errors.Is(err, io.EOF):
		d.syntaxError(err, data)
		return nil, false
	}
	if len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		d.errs.add(1, "", "empty file (a configuration needs at least crm: and users:)")
		return nil, false
	}
	return doc.Content[0], true
}

var (
	yamlLine   = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlAnchor = regexp.MustCompile(`^(unknown anchor|anchor) '([^']+)' (referenced|value contains itself)$`)
)

// parserProblems are the problems libyaml's parser (as opposed to its
// scanner) reports. yaml.v3 prints their line 0-based, and leaves the line
// out when it is 0, so they need one added. See gopkg.in/yaml.v3
// decode.go, parser.fail.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxError turns a yaml.v3 error into an *Error on the right line.
// Parser errors name the line where the enclosing block starts, which is
// as close as yaml.v3 lets us get. Anchor errors carry no line; it is
// found by looking for the anchor in the text.
func (d *decoder) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1 // libyaml leaves the line out on the first line
	switch m := yamlLine.FindStringSubmatch(msg); {
	case m != nil:
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblems[msg] {
			line++
		}
	case yamlAnchor.MatchString(msg):
		a := yamlAnchor.FindStringSubmatch(msg)
		sigil := "*"
		if a[3] != "referenced" {
			sigil = "&"
		}
		line = lineOf(data, sigil+a[2])
	}
	d.errs.add(line, "", "YAML syntax: %s", msg)
}

// lineOf returns the 1-based line of the first occurrence of s in data,
// or 0 when it does not occur.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}
