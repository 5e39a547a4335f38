package config

import (
	"encoding/hex"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zone names must validate the same on every machine, including those without a zoneinfo database

	"go.yaml.in/yaml/v3"

	"github.com/gwsync/gwsync/engine"
)

// Conflicts lists the conflict policies, in documentation order. The
// engine owns the list (engine.Policies); config only validates against
// it, read at call time, so a policy added there is accepted here.
func Conflicts() []string { return engine.PolicyNames() }

// Areas lists the sync areas, in the order the engine runs them; a user
// without `areas:` gets all of them. The engine owns the list
// (engine.Areas), as for Conflicts.
func Areas() []string { return engine.AreaNames() }

// validName is the rule for user, source and plugin names: they become
// state keys, file names and command-line arguments, so they are kept to
// characters that need no quoting anywhere.
var validName = regexp.MustCompile(`^[a-z0-9._-]+$`)

const nameRule = `use lower-case letters, digits, ".", "_" and "-"`

// name reads a required name. parent is the mapping, for the line of a
// "required" report.
func (d *decoder) name(n, parent *yaml.Node, path string) string {
	s, ok := d.str(n, path)
	if ok && s == "" || !ok && isNull(resolve(n)) {
		d.required(parent, path)
		return ""
	}
	if !ok {
		return ""
	}
	if !validName.MatchString(s) {
		d.errs.add(resolve(n).Line, path, "%q is not a valid name (%s)", s, nameRule)
		return ""
	}
	return s
}

// checkPluginName rejects names that could not be a registered adapter or
// an executable gwsync-plugin-NAME in plugin_dir (no path separators).
func (d *decoder) checkPluginName(line int, path, s string) {
	if !validName.MatchString(s) {
		d.errs.add(line, path, "%q is not a valid plugin name (%s)", s, nameRule)
	}
}

// checkState accepts the DSN schemes the state package knows.
func (d *decoder) checkState(line int, dsn string) {
	switch {
	case dsn == "sqlite:":
		d.errs.add(line, "state", "sqlite: needs a file name, e.g. sqlite:./gwsync-data/state.db")
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
	default:
		if u, err := url.Parse(dsn); err == nil && u.User != nil {
			dsn = u.Redacted() // a mistyped scheme still carries the real password
		}
		d.errs.add(line, "state", "%q is not a state DSN (want sqlite:PATH or postgres://...)", dsn)
	}
}

// conflict reads a conflict policy; absent keeps def.
func (d *decoder) conflict(n *yaml.Node, path, def string) string {
	s, ok := d.str(n, path)
	if !ok {
		return def
	}
	if policies := Conflicts(); !contains(policies, s) {
		d.errs.add(resolve(n).Line, path, "%q is not one of %s", s, strings.Join(policies, ", "))
		return def
	}
	return s
}

// oneOf reads a string that must be one of values; absent keeps def.
func (d *decoder) oneOf(n *yaml.Node, path string, values []string, def string) string {
	s, ok := d.str(n, path)
	if !ok {
		return def
	}
	if !contains(values, s) {
		d.errs.add(resolve(n).Line, path, "%q is not one of %s", s, strings.Join(values, ", "))
		return def
	}
	return s
}

// timeZone reads an IANA zone name; absent keeps def. "Local" is refused
// because it would mean different zones on different machines.
func (d *decoder) timeZone(n *yaml.Node, path, def string) string {
	s, ok := d.str(n, path)
	if !ok {
		return def
	}
	line := resolve(n).Line
	if s == "" || s == "Local" {
		d.errs.add(line, path, "%q is not a time zone; name one such as Europe/Berlin or UTC", s)
		return def
	}
	if _, err := time.LoadLocation(s); err != nil {
		d.errs.add(line, path, "%q is not a known time zone (IANA names such as Europe/Berlin)", s)
		return def
	}
	return s
}

// email accepts a bare address ("alice@example.com"); a display name would
// not match the addresses the engine compares it with.
func (d *decoder) email(line int, path, s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		d.errs.add(line, path, "%q is not an e-mail address (write just the address, e.g. alice@example.com)", s)
		return ""
	}
	return s
}

// exclude reads a user's never-log list: e-mail addresses and "@domain"
// entries, lower-cased.
func (d *decoder) exclude(n *yaml.Node, path string) []string {
	items, _ := d.list(n, path)
	var out []string
	for i, item := range items {
		p := index(path, i)
		s, ok := d.str(item, p)
		if !ok {
			continue
		}
		s = strings.ToLower(strings.TrimSpace(s))
		at := strings.Index(s, "@")
		if at < 0 || at == len(s)-1 || strings.ContainsAny(s, " <>,") || strings.Count(s, "@") > 1 {
			d.errs.add(resolve(item).Line, p, "%q is neither an address (bob@example.com) nor a domain (@example.com)", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

// areas reads a user's areas. Absent means all; the result is in the
// canonical order of Areas so that equal configs compare equal.
func (d *decoder) areas(n *yaml.Node, path string) []string {
	all := Areas()
	items, ok := d.list(n, path)
	if !ok {
		return all
	}
	if len(items) == 0 {
		d.errs.add(resolve(n).Line, path, "at least one area is required (leave the key out for all of %s)", strings.Join(all, ", "))
	}
	seen := map[string]int{}
	for i, item := range items {
		p := index(path, i)
		s, ok := d.str(item, p)
		if !ok {
			if isNull(resolve(item)) {
				d.errs.add(resolve(item).Line, p, "empty area")
			}
			continue
		}
		line := resolve(item).Line
		switch l, dup := seen[s]; {
		case !contains(all, s):
			d.errs.add(line, p, "%q is not one of %s", s, strings.Join(all, ", "))
		case dup:
			d.errs.add(line, p, "duplicate area %q (first at line %d)", s, l)
		default:
			seen[s] = line
		}
	}
	var out []string
	for _, a := range all {
		if _, ok := seen[a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// duration reads a window length. ok is false when absent or invalid.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	v, err := parseDuration(s)
	if err != nil {
		d.errs.add(resolve(n).Line, path, "%q: %v", s, err)
		return 0, false
	}
	return v, true
}

// sha256 reads an executable pin: 64 hex digits, stored lower-case. A pin
// on an in-process plugin is refused: nothing would be checked.
func (d *decoder) sha256(line int, path, s string, inProcess bool) string {
	if b, err := hex.DecodeString(s); err != nil || len(b) != 32 {
		d.errs.add(line, path, "must be 64 hexadecimal digits (the output of sha256sum)")
		return ""
	}
	if inProcess {
		d.errs.add(line, path, "only an external plugin run out of process can be pinned; drop in_process or sha256")
	}
	return strings.ToLower(s)
}

// checkExportTo requires export_to to name one of the user's sources, so a
// typo cannot silently disable the export.
func (d *decoder) checkExportTo(line int, path string, u *User) {
	var names []string
	for _, s := range u.Sources {
		if s.Name == u.ExportTo {
			return
		}
		if s.Name != "" && !contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 { // sources are missing or broken; reported already
		return
	}
	hint := ""
	if s := suggest(u.ExportTo, names); s != "" {
		hint = " (did you mean " + `"` + s + `"?)`
	}
	d.errs.add(line, path, "%q is not a source of this user; sources: %s%s", u.ExportTo, strings.Join(names, ", "), hint)
}
