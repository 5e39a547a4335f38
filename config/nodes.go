package config

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder walks the yaml.Node tree of one file, collecting every problem
// instead of stopping at the first. Methods that read a value return
// ok=false when it is absent or wrong; the problem is already recorded.
type decoder struct {
	errs   errorList
	dir    string
	lookup func(string) (string, bool)
	// budget bounds the nodes visited, because aliases can make a small
	// file expand into a huge tree ("billion laughs").
	budget int
}

func newDecoder(file, dir string) *decoder {
	return &decoder{errs: errorList{file: file}, dir: dir, lookup: os.LookupEnv, budget: 100_000}
}

// spend takes cost from the node budget. When the budget runs out it
// records one error and returns false from then on.
func (d *decoder) spend(n *yaml.Node, path string, cost int) bool {
	if d.budget < 0 {
		return false
	}
	d.budget -= cost
	if d.budget < 0 {
		d.errs.add(n.Line, path, "the file nests or repeats too deeply (aliases?)")
		return false
	}
	return true
}

// entry is one key/value pair of a mapping.
type entry struct {
	key, val *yaml.Node
	// mergedAt is the line of the "<<" that brought the entry in, 0 for
	// keys written in the mapping itself.
	mergedAt int
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// kindName names a node kind for "expected X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an empty document"
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// entries returns the pairs of a mapping in file order, with YAML merge
// keys ("<<: *defaults") applied: keys written in the mapping win over
// merged ones. Duplicate keys are reported. Errors: n is not a mapping.
func (d *decoder) entries(n *yaml.Node, path string) ([]entry, bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errs.add(n.Line, path, "expected a mapping, got %s", kindName(n))
		return nil, false
	}
	if !d.spend(n, path, len(n.Content)/2) {
		return nil, false
	}
	var own, merged []entry
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			for _, e := range d.mergeSources(v, path) {
				e.mergedAt = k.Line
				merged = append(merged, e)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errs.add(k.Line, path, "keys must be plain words, got %s", kindName(k))
			continue
		}
		if line, dup := first[k.Value]; dup {
			d.errs.add(k.Line, join(path, k.Value), "duplicate key (first at line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		own = append(own, entry{key: k, val: v})
	}
	for _, e := range merged {
		if _, dup := first[e.key.Value]; !dup {
			first[e.key.Value] = e.key.Line
			own = append(own, e)
		}
	}
	return own, true
}

// mergeSources returns the entries a merge key brings in: one mapping or a
// list of mappings, earlier ones winning as YAML specifies.
func (d *decoder) mergeSources(v *yaml.Node, path string) []entry {
	v = resolve(v)
	var maps []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		maps = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, m := range v.Content {
			maps = append(maps, resolve(m))
		}
	}
	var out []entry
	seen := map[string]bool{}
	for _, m := range maps {
		if m.Kind != yaml.MappingNode {
			d.errs.add(v.Line, join(path, "<<"), "merge key needs a mapping or a list of mappings, got %s", kindName(m))
			continue
		}
		es, _ := d.entries(m, path)
		for _, e := range es {
			if !seen[e.key.Value] {
				seen[e.key.Value] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// fields reads a mapping whose keys are fixed: it reports unknown keys
// (suggesting the closest known one) and returns the known values by key.
func (d *decoder) fields(n *yaml.Node, path string, known ...string) (map[string]*yaml.Node, bool) {
	es, ok := d.entries(n, path)
	if !ok {
		return nil, false
	}
	out := make(map[string]*yaml.Node, len(es))
	for _, e := range es {
		if !contains(known, e.key.Value) {
			d.unknownKey(e, path, known)
			continue
		}
		out[e.key.Value] = e.val
	}
	return out, true
}

// unknownKey reports a key that is not in known. A key brought in by a
// merge is reported at the "<<" line, where the user can act on it.
func (d *decoder) unknownKey(e entry, path string, known []string) {
	line, origin := e.key.Line, ""
	if e.mergedAt > 0 {
		line, origin = e.mergedAt, fmt.Sprintf(" merged from line %d", e.key.Line)
	}
	if s := suggest(e.key.Value, known); s != "" {
		d.errs.add(line, join(path, e.key.Value), "unknown key%s (did you mean %q?)", origin, s)
		return
	}
	d.errs.add(line, join(path, e.key.Value), "unknown key%s (valid keys: %s)", origin, strings.Join(known, ", "))
}

// required reports a missing key at the line of the mapping that lacks it.
func (d *decoder) required(m *yaml.Node, path string) {
	d.errs.add(resolve(m).Line, path, "required")
}

// str reads a string scalar with ${env:NAME} expanded. Numbers and
// booleans are taken as written (a PIN "1234" is a string). ok is false
// when the key is absent or null, or on error.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(n.Line, path, "expected a string, got %s", kindName(n))
		return "", false
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		d.errs.add(n.Line, path, "unsupported tag %s", n.Tag)
		return "", false
	}
	s, err := expandEnv(n.Value, d.lookup)
	if err != nil {
		d.errs.add(n.Line, path, "%v", err)
		return "", false
	}
	return s, true
}

// boolean reads true or false. ok is false when absent, null or wrong.
func (d *decoder) boolean(n *yaml.Node, path string) (value, ok bool) {
	n = resolve(n)
	if isNull(n) {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errs.add(n.Line, path, "expected true or false, got %s", kindName(n))
		return false, false
	}
	if err := n.Decode(&value); err != nil {
		d.errs.add(n.Line, path, "expected true or false, got %s", kindName(n))
		return false, false
	}
	return value, true
}

// list returns the items of a sequence. ok is false when absent, null or
// not a sequence.
func (d *decoder) list(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.errs.add(n.Line, path, "expected a list, got %s", kindName(n))
		return nil, false
	}
	return n.Content, true
}

// keyLine returns the line of a key in mapping m, or m's line
// when the key is not there.
func keyLine(m *yaml.Node, key string) int {
	m = resolve(m)
	if m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return m.Line
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
