package config

import (
	"bytes"
	"encoding/json"
	"strings"

	"go.yaml.in/yaml/v3"
)

// options re-encodes an `options:` mapping as JSON, keeping the key order
// of the file, expanding ${env:NAME} in strings and making path options
// absolute (see isPathOption and absSQLiteDSN). It also returns the line
// of each top-level key for Plugin.OptionLine. A null or absent block
// gives nil. Problems are recorded; ok is false if there were any.
func (d *decoder) options(n *yaml.Node, path string) (raw json.RawMessage, lines map[string]int, ok bool) {
	if isNull(resolve(n)) {
		return nil, nil, true
	}
	es, ok := d.entries(n, path)
	if !ok {
		return nil, nil, false
	}
	lines = make(map[string]int, len(es))
	for _, e := range es {
		lines[e.key.Value] = e.key.Line
	}
	before := len(d.errs.list)
	var buf bytes.Buffer
	d.optionMapping(&buf, es, path, 0)
	if len(d.errs.list) > before {
		return nil, nil, false
	}
	return buf.Bytes(), lines, true
}

const maxOptionDepth = 64

func (d *decoder) optionMapping(buf *bytes.Buffer, es []entry, path string, depth int) {
	buf.WriteByte('{')
	for i, e := range es {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSON(buf, e.key.Value)
		buf.WriteByte(':')
		d.optionValue(buf, e.key.Value, e.val, join(path, e.key.Value), depth+1)
	}
	buf.WriteByte('}')
}

// optionValue writes one value. key is the nearest mapping key, which
// decides whether a string is a path.
func (d *decoder) optionValue(buf *bytes.Buffer, key string, n *yaml.Node, path string, depth int) {
	n = resolve(n)
	if depth > maxOptionDepth {
		d.errs.add(n.Line, path, "options nest too deeply (more than %d levels)", maxOptionDepth)
		buf.WriteString("null")
		return
	}
	if !d.spend(n, path, 1) {
		buf.WriteString("null")
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		es, ok := d.entries(n, path)
		if !ok {
			buf.WriteString("null")
			return
		}
		d.optionMapping(buf, es, path, depth)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			d.optionValue(buf, key, item, index(path, i), depth+1)
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		d.optionScalar(buf, key, n, path)
	default:
		buf.WriteString("null")
	}
}

// optionScalar keeps YAML's typing for null, booleans and numbers, and
// writes everything else (strings, dates, binary) as the text written.
func (d *decoder) optionScalar(buf *bytes.Buffer, key string, n *yaml.Node, path string) {
	switch n.Tag {
	case "!!null":
		buf.WriteString("null")
		return
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err == nil {
			if b, err := json.Marshal(v); err == nil {
				buf.Write(b)
				return
			}
		}
		d.errs.add(n.Line, path, "%q cannot be written as JSON; quote it to pass a string", n.Value)
		buf.WriteString("null")
		return
	}
	s, ok := d.str(n, path)
	if !ok {
		buf.WriteString("null")
		return
	}
	if hasURLPassword(s) {
		d.errs.add(n.Line, path, "the URL holds a password, which would show in logs and plans; give the URL without it and put the password in password_file (or password: ${env:NAME})")
		writeJSON(buf, redactURL(s))
		return
	}
	switch {
	case isPathOption(key):
		s = absPath(s, d.dir)
	case key == "dsn" && strings.HasPrefix(s, "sqlite:"):
		s, _ = absSQLiteDSN(s, d.dir)
	}
	writeJSON(buf, s)
}

// writeJSON writes s as a JSON string without HTML escaping, so that a
// DSN's "&" stays readable when the config is printed.
func writeJSON(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
}
