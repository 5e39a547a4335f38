package files

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// ID prefixes: every item ID names the folder it came from.
const (
	calendarPrefix = "calendar/"
	mailPrefix     = "mail/"
	exportPrefix   = "export/"
)

// ignored reports whether a file name is one a snapshot skips: dotfiles
// (including our own temp files), editor backups and locks, and the partial
// files of downloads and of other sync tools.
func ignored(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~"):
		return true
	case strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"), strings.HasPrefix(name, "~$"):
		return true
	}
	for _, suffix := range []string{".tmp", ".temp", ".swp", ".part", ".partial", ".crdownload", ".bak"} {
		if strings.HasSuffix(lower, suffix) {
			return true
		}
	}
	return false
}

// contentVersion is an item's Version: a short hash of the file's bytes, so
// that an edit within the same second (same mtime) is still seen.
func contentVersion(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// assignCalendarIDs gives the items of one .ics file their IDs:
// "calendar/<file>" for the only item, or for the master when the file
// holds one UID (a master plus overrides), so the master's ID survives an
// override being added; "calendar/<file>#<key>" for occurrences of a
// series and overrides (keys "ical:UID/<RECURRENCE-ID>", so an occurrence
// keeps its ID whatever else enters the window) and for every item of a
// file holding several UIDs; "#component-<n>" for a component without a
// key.
func assignCalendarIDs(name string, items []adapters.Item) {
	uids := map[string]bool{}
	for _, it := range items {
		if it.Key != "" {
			uid, _, _ := strings.Cut(it.Key, "/")
			uids[uid] = true
		}
	}
	base := calendarPrefix + name
	for i := range items {
		it := &items[i]
		switch {
		case len(items) == 1 && !strings.Contains(it.Key, "/"):
			it.ID = base
		case it.Key == "":
			it.ID = base + "#component-" + strconv.Itoa(i+1)
		case len(uids) == 1 && !strings.Contains(it.Key, "/"):
			it.ID = base
		default:
			it.ID = base + "#" + it.Key
		}
	}
}

// splitCalendarID splits "calendar/<file>[#<key>]" into the file name and
// the key ("" when the ID has none). ok is false for any other ID, or a
// file name that would leave the folder.
func splitCalendarID(id string) (name, key string, ok bool) {
	rest, found := strings.CutPrefix(id, calendarPrefix)
	if !found {
		if rest, found = strings.CutPrefix(id, exportPrefix); !found {
			return "", "", false
		}
	}
	name = rest
	if i := strings.Index(rest, "#"); i >= 0 {
		name, key = rest[:i], rest[i+1:]
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", "", false
	}
	return name, key, true
}
