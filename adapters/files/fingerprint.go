package files

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// A stat cursor starts with a fingerprint of the files it records: each
// file's key, size, mtime and inode, and the setup. A snapshot first lists
// and stats the folders, as it must anyway; when the fingerprint of what it
// finds equals the cursor's, nothing changed, and it hands the cursor back
// without decoding it (decoding the JSON of every file's entry was most of
// a no-change run's own cost at thousands of files). A cursor with a
// recurring file gets no fast path: its entries depend on the window,
// which moves every run.

// statCursorPrefix2 is the cursor with its fingerprint: the prefix, 'N'
// (no recurring file) or 'R', the fingerprint in hex, ':', then the same
// text as after statCursorPrefix.
const statCursorPrefix2 = "files-stat-2:"

// fingerprintLen is the length of the fingerprint in hex.
const fingerprintLen = 32

// keyedStat is one listed file for the fingerprint.
type keyedStat struct {
	key string
	st  fileStat
}

// fingerprint digests the setup and the files, in key order.
func fingerprint(setup string, files []keyedStat) string {
	sort.Slice(files, func(i, j int) bool { return files[i].key < files[j].key })
	h := sha256.New()
	h.Write([]byte(setup))
	var b [8]byte
	for _, f := range files {
		h.Write([]byte{0})
		h.Write([]byte(f.key))
		h.Write([]byte{0})
		for _, v := range []uint64{uint64(f.st.size), uint64(f.st.mtime), f.st.inode} {
			binary.LittleEndian.PutUint64(b[:], v)
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:fingerprintLen]
}

// fingerprintOfCursor is the fingerprint of what c records.
func fingerprintOfCursor(c statCursor) string {
	files := make([]keyedStat, 0, len(c.Files))
	for key, e := range c.Files {
		files = append(files, keyedStat{key, fileStat{size: e.Size, mtime: e.MTime, inode: e.Inode}})
	}
	return fingerprint(c.Setup, files)
}

// cursorFingerprint is the fingerprint a cursor starts with, when it has
// one and no recurring file.
func cursorFingerprint(cursor string) (string, bool) {
	rest, ok := strings.CutPrefix(cursor, statCursorPrefix2+"N")
	if !ok || len(rest) <= fingerprintLen || rest[fingerprintLen] != ':' {
		return "", false
	}
	return rest[:fingerprintLen], true
}

// unchangedSince reports whether the folders hold exactly the files the
// cursor records, each with the same stat: then a snapshot would read
// nothing and hand the cursor back. It lists and stats what Snapshot
// would for req; any error answers false, and Snapshot then does the work
// (and reports the error).
func (s *Source) unchangedSince(dirs dirMemo, req adapters.SnapshotRequest) bool {
	want, ok := cursorFingerprint(req.Cursor)
	if !ok {
		return false
	}
	var files []keyedStat
	add := func(key, path string) bool {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return true // vanished since the listing, as Snapshot skips it
		case err != nil:
			return false
		}
		files = append(files, keyedStat{key, statOf(fi)})
		return true
	}
	if dir := s.opts.MailDir; dir != "" && req.Wants(adapters.KindMessage) {
		if isMaildir(dir) {
			seen := map[string]bool{}
			for _, sub := range []string{"cur", "new"} {
				names, err := listFiles(dirs, "mail_dir", filepath.Join(dir, sub))
				if errors.Is(err, adapters.ErrInvalidConfig) {
					continue
				}
				if err != nil {
					return false
				}
				for _, name := range names {
					if id := maildirUnique(name); !seen[id] {
						seen[id] = true
						if !add("mail/"+sub+"/"+name, filepath.Join(dir, sub, name)) {
							return false
						}
					}
				}
			}
		} else {
			names, err := listFiles(dirs, "mail_dir", dir, ".eml")
			if err != nil {
				return false
			}
			for _, name := range names {
				if !add("mail/"+name, filepath.Join(dir, name)) {
					return false
				}
			}
		}
	}
	if dir := s.opts.CalendarDir; dir != "" && (req.Wants(adapters.KindEvent) || req.Wants(adapters.KindTask)) {
		names, err := listFiles(dirs, "calendar_dir", dir, ".ics")
		if err != nil {
			return false
		}
		for _, name := range names {
			if !add("calendar/"+name, filepath.Join(dir, name)) {
				return false
			}
		}
	}
	return fingerprint(s.setupOf(), files) == want
}
