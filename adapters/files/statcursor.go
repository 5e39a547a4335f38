package files

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// The files source has no change log, so it keeps its own: the cursor it
// returns records, per file, the size, mtime (ns) and inode it read (as
// vdirsyncer's filesystem storage does) and the item IDs that file gave.
// A later snapshot with that cursor reads and parses only the files whose
// stat differs and sends tombstones for the IDs that are gone.
//
// Why a cursor and not a cache file of our own: the engine stores a
// cursor only when the run settled (every item of the source written, none
// failed or deselected). A cache file would be written while listing, so a
// run killed after the listing and before the CRM writes would leave it
// claiming files as seen that never reached the CRM, and the next run would
// skip them: an item lost. With the cursor, a crash leaves the previous
// cursor, and the next run rereads everything changed since it.

// statCursorPrefix names the format, so an older or foreign cursor is
// recognised and answered with a complete snapshot.
const statCursorPrefix = "files-stat-1:"

// racyMargin: a file modified this close to the listing may be modified
// again within the same mtime tick without its size changing; its stat is
// not recorded, so the next run reads it again (git's "racy" rule).
const racyMargin = 2 * time.Second

// statCursor is the decoded cursor.
type statCursor struct {
	// Setup fingerprints what parsing depends on besides the bytes (the
	// folders and the floating time zone); another setup reads everything.
	Setup string `json:"setup"`
	// Window is the window recurring files were expanded in; a file with
	// RRULE/RDATE is read again when the window differs.
	Window adapters.Window `json:"window"`
	// Files by path key ("calendar/NAME", "mail/SUB/NAME").
	Files map[string]fileEntry `json:"files"`
}

// fileEntry is what one file looked like when its items were emitted.
type fileEntry struct {
	Size  int64  `json:"s"`
	MTime int64  `json:"m"`
	Inode uint64 `json:"i,omitempty"`
	// Recurring: the items depend on the window (RRULE or RDATE).
	Recurring bool `json:"r,omitempty"`
	// Items the file gave, when not just the one default ID and kind.
	Items []entryItem `json:"items,omitempty"`
}

// entryItem is one item ID a file gave, with its kind (for tombstones).
type entryItem struct {
	ID   string        `json:"id"`
	Kind adapters.Kind `json:"k"`
}

// fileStat is the part of a stat that says "unchanged".
type fileStat struct {
	size, mtime int64
	inode       uint64
}

func statOf(fi os.FileInfo) fileStat {
	return fileStat{size: fi.Size(), mtime: fi.ModTime().UnixNano(), inode: inodeOf(fi)}
}

func (e fileEntry) same(st fileStat) bool {
	return e.Size == st.size && e.MTime == st.mtime && e.Inode == st.inode
}

// decodeStatCursor returns the cursor, or ok=false for an empty, foreign
// or damaged one, or one made with another setup: then the snapshot is
// complete, which is always safe.
func decodeStatCursor(s, setup string) (c statCursor, ok bool) {
	raw, found := strings.CutPrefix(s, statCursorPrefix)
	if rest, v2 := strings.CutPrefix(s, statCursorPrefix2); v2 && len(rest) > 1+fingerprintLen {
		raw, found = rest[1+fingerprintLen+1:], rest[1+fingerprintLen] == ':'
	}
	if !found {
		return statCursor{}, false
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return statCursor{}, false
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil || json.NewDecoder(zr).Decode(&c) != nil || c.Setup != setup || c.Files == nil {
		return statCursor{}, false
	}
	return c, true
}

// encode gzips the JSON: the state stores the cursor and the plugin wire
// carries it every run, and names, sizes and times compress well. The
// fingerprint goes first (fingerprint.go); a cursor of the first format,
// without it, is still read.
func (c statCursor) encode() string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(c); err != nil || zw.Close() != nil {
		return "" // no cursor: the next snapshot is complete
	}
	flag := "N"
	for _, e := range c.Files {
		if e.Recurring {
			flag = "R"
			break
		}
	}
	return statCursorPrefix2 + flag + fingerprintOfCursor(c) + ":" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// setupOf fingerprints the options parsing depends on.
func (s *Source) setupOf() string {
	return strings.Join([]string{s.opts.CalendarDir, s.opts.MailDir, s.floating.String()}, "\x00")
}

// newEntry records a file that was read, or ok=false when it must not be
// recorded: modified too recently (racy), or an item unreadable or of a
// kind the request did not want (so it was never settled by the engine).
func newEntry(st fileStat, listed time.Time, recurring bool, items []adapters.Item, defaultID string, defaultKind adapters.Kind, wants func(adapters.Kind) bool) (fileEntry, bool) {
	if time.Unix(0, st.mtime).After(listed.Add(-racyMargin)) {
		return fileEntry{}, false
	}
	e := fileEntry{Size: st.size, MTime: st.mtime, Inode: st.inode, Recurring: recurring}
	for _, it := range items {
		if it.Unreadable != "" || !wants(it.Kind) {
			return fileEntry{}, false
		}
	}
	if len(items) == 1 && items[0].ID == defaultID && items[0].Kind == defaultKind {
		return e, true
	}
	for _, it := range items {
		e.Items = append(e.Items, entryItem{ID: it.ID, Kind: it.Kind})
	}
	return e, true
}

// itemsOf returns the IDs and kinds an entry stands for.
func (e fileEntry) itemsOf(defaultID string, defaultKind adapters.Kind) []entryItem {
	if len(e.Items) == 0 {
		return []entryItem{{ID: defaultID, Kind: defaultKind}}
	}
	return e.Items
}
