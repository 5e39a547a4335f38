package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Keys of the settings a user may be allowed to change on the web
// client's "User preferences / Groupware" page (`editable:`). Package
// prefs reads a user's stored values for them over the config's.
const (
	// EditImportFolder is the `folder` option of the user's IMAP sources
	// ("INBOX" is the whole inbox).
	EditImportFolder = "import_folder"
	// EditAreas is `areas`: which areas the wizard offers.
	EditAreas = "areas"
	// EditAutomaticMatching is `automatic_matching`.
	EditAutomaticMatching = "automatic_matching"
	// EditWindow is `window` (past and future).
	EditWindow = "window"
	// EditTimeZone is `time_zone`: how times are shown and floating
	// times read.
	EditTimeZone = "time_zone"
)

// EditableKeys are the values of `editable:`, in the order the
// preferences page shows them.
var EditableKeys = []string{EditImportFolder, EditAreas, EditAutomaticMatching, EditWindow, EditTimeZone}

// MayEdit reports whether the user may change key.
func (u *User) MayEdit(key string) bool { return contains(u.Editable, key) }

// editable reads an `editable:` list: known keys, each once, kept in
// EditableKeys order. An absent key keeps base.
func (d *decoder) editable(n *yaml.Node, path string, base []string) []string {
	if n == nil {
		return base
	}
	items, ok := d.list(n, path)
	if !ok {
		return base
	}
	seen := map[string]int{}
	for i, item := range items {
		p := index(path, i)
		s, ok := d.str(item, p)
		if !ok {
			continue
		}
		line := resolve(item).Line
		switch l, dup := seen[s]; {
		case !contains(EditableKeys, s):
			d.errs.add(line, p, "%q is not one of %s", s, strings.Join(EditableKeys, ", "))
		case dup:
			d.errs.add(line, p, "duplicate key %q (first at line %d)", s, l)
		default:
			seen[s] = line
		}
	}
	out := []string{}
	for _, k := range EditableKeys {
		if _, ok := seen[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
