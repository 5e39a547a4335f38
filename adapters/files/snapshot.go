package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

// maxICSBytes caps the size of one .ics file read into memory; a bigger
// file is reported unreadable rather than risk the process.
const maxICSBytes = 16 << 20

// Snapshot emits every item of the requested kinds. Without a cursor (or
// with one it cannot use) the snapshot is complete. With the cursor of an
// earlier snapshot it reads only the files whose size, mtime or inode
// changed (and recurring files when the window moved), sends tombstones for
// the items whose files or occurrences are gone, and reports
// Complete=false (see statcursor.go). A file that cannot be read or parsed
// becomes an item with Unreadable and never fails the snapshot. Errors:
// InvalidConfig when a configured folder is missing, any other error
// listing a folder, the error of emit, ctx's error.
func (s *Source) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	dirs := dirMemo{}
	for _, dir := range []string{s.opts.CalendarDir, s.opts.ExportDir} {
		if dir != "" {
			removeStaleTemps(dirs, dir) // what a killed run left mid-write
		}
	}
	if s.unchangedSince(dirs, req) {
		return adapters.SnapshotEnd{Complete: false, Cursor: req.Cursor}, nil
	}
	var n int64
	counted := func(it adapters.Item) error {
		if !req.Wants(it.Kind) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		return emit(it)
	}
	l := s.newListing(req)
	l.dirs = dirs
	if s.opts.MailDir != "" && req.Wants(adapters.KindMessage) {
		if err := s.snapshotMail(l, counted); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	if s.opts.CalendarDir != "" && (req.Wants(adapters.KindEvent) || req.Wants(adapters.KindTask)) {
		if err := s.snapshotCalendar(l, counted); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	if err := l.tombstones(counted); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	if l.unchanged(n) && strings.HasPrefix(req.Cursor, statCursorPrefix2) { // a first-format cursor is rewritten once
		return adapters.SnapshotEnd{Complete: false, Cursor: req.Cursor}, nil
	}
	return adapters.SnapshotEnd{Count: n, Complete: !l.incremental, Cursor: l.next.encode()}, nil
}

// listFiles returns the sorted names of the regular, not ignored files in
// dir with one of the suffixes (any file when none is given).
func listFiles(dirs dirMemo, option, dir string, suffixes ...string) ([]string, error) {
	entries, err := dirs.read(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "files: "+option)
	}
	if err != nil {
		return nil, fmt.Errorf("files: listing %s: %w", option, err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if ignored(name) || !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		if len(suffixes) > 0 && !hasSuffixFold(name, suffixes...) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

func hasSuffixFold(name string, suffixes ...string) bool {
	lower := strings.ToLower(name)
	for _, s := range suffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// snapshotCalendar emits the items of every .ics file, recurring series
// expanded to their occurrences inside the window; a file the cursor shows
// unchanged is not read.
func (s *Source) snapshotCalendar(l *listing, emit func(adapters.Item) error) error {
	names, err := listFiles(l.dirs, "calendar_dir", s.opts.CalendarDir, ".ics")
	if err != nil {
		return err
	}
	for _, name := range names {
		key, defaultID := "calendar/"+name, calendarPrefix+name
		fi, err := os.Stat(filepath.Join(s.opts.CalendarDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // vanished since the listing: it is gone, not unreadable
		}
		var st fileStat
		if err == nil {
			st = statOf(fi)
			if l.keep(key, st, defaultID, adapters.KindEvent, l.windowMoved) {
				continue
			}
		}
		items, recurring, ok := s.readCalendarFile(name, l.window)
		if !ok {
			continue
		}
		if err == nil {
			l.record(key, st, recurring, items, defaultID, adapters.KindEvent)
		}
		for _, it := range items {
			l.present[it.ID] = true
			if err := emit(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// readCalendarFile parses one .ics file into items with IDs and versions.
// A recurring series becomes its occurrences inside window, through the
// expansion the CalDAV source uses (icalendar.Parse with Expand): the same
// keys ("ical:UID/<RECURRENCE-ID>"), EXDATEs, RDATEs and overrides. A
// file it cannot read or parse comes back as one Unreadable item. ok is
// false when the file no longer exists. recurring says the items depend on
// the window (the file has an RRULE or RDATE).
func (s *Source) readCalendarFile(name string, window adapters.Window) (items []adapters.Item, recurring, ok bool) {
	id := calendarPrefix + name
	data, err := readCapped(filepath.Join(s.opts.CalendarDir, name), maxICSBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, false
	}
	if err != nil {
		return []adapters.Item{{ID: id, Kind: adapters.KindEvent, Unreadable: name + ": " + err.Error()}}, false, true
	}
	upper := bytes.ToUpper(data)
	recurring = bytes.Contains(upper, []byte("RRULE")) || bytes.Contains(upper, []byte("RDATE"))
	items, err = icalendar.Parse(data, icalendar.ParseOptions{Location: s.floating, Expand: true, Window: window})
	if err != nil {
		return []adapters.Item{{ID: id, Kind: guessKind(data), Version: contentVersion(data), Unreadable: name + ": " + err.Error()}}, recurring, true
	}
	assignCalendarIDs(name, items)
	version := contentVersion(data)
	for i := range items {
		items[i].Version = version
		if items[i].Unreadable != "" {
			items[i].Unreadable = name + ": " + items[i].Unreadable
		}
	}
	return items, recurring, true
}

// guessKind names the kind of an unparseable .ics, so a task-only snapshot
// still reports a broken task file.
func guessKind(data []byte) adapters.Kind {
	if bytes.Contains(bytes.ToUpper(data), []byte("BEGIN:VTODO")) {
		return adapters.KindTask
	}
	return adapters.KindEvent
}

// readCapped reads a whole file, refusing one larger than limit.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d MiB", limit>>20)
	}
	return data, nil
}

// snapshotMail emits one item per message file: the files of cur/ and new/
// in a maildir, or the .eml files of a flat folder; a file the cursor shows
// unchanged is not read.
func (s *Source) snapshotMail(l *listing, emit func(adapters.Item) error) error {
	dir := s.opts.MailDir
	if isMaildir(dir) {
		seen := map[string]bool{}
		for _, sub := range []string{"cur", "new"} {
			names, err := listFiles(l.dirs, "mail_dir", filepath.Join(dir, sub))
			if errors.Is(err, adapters.ErrInvalidConfig) {
				continue // a maildir may lack one of them
			}
			if err != nil {
				return err
			}
			for _, name := range names {
				id := mailPrefix + maildirUnique(name)
				if seen[id] {
					continue // the same message in cur/ and new/: a move in progress
				}
				seen[id] = true
				rel := filepath.ToSlash(filepath.Join(sub, name))
				if err := s.mailFile(l, filepath.Join(dir, sub, name), id, rel, emit); err != nil {
					return err
				}
			}
		}
		return nil
	}
	names, err := listFiles(l.dirs, "mail_dir", dir, ".eml")
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := s.mailFile(l, filepath.Join(dir, name), mailPrefix+name, name, emit); err != nil {
			return err
		}
	}
	return nil
}

// mailFile emits the message in one file unless the cursor shows the file
// unchanged.
func (s *Source) mailFile(l *listing, path, id, rel string, emit func(adapters.Item) error) error {
	key := "mail/" + rel
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var st fileStat
	if err == nil {
		st = statOf(fi)
		if l.keep(key, st, id, adapters.KindMessage, false) {
			return nil
		}
	}
	it, ok := readMailFile(path, id, rel)
	if !ok {
		return nil
	}
	if err == nil {
		l.record(key, st, false, []adapters.Item{it}, id, adapters.KindMessage)
	}
	l.present[it.ID] = true
	return emit(it)
}

// isMaildir reports whether dir has a cur/ or new/ folder.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// maildirUnique strips the maildir info suffix (":2,FLAGS", or "!2,FLAGS"
// where ':' is not allowed), so a message keeps its ID when a mail client
// marks it read or moves it from new/ to cur/.
func maildirUnique(name string) string {
	for _, sep := range []string{":2,", "!2,", ";2,"} {
		if i := strings.LastIndex(name, sep); i > 0 {
			return name[:i]
		}
	}
	return name
}

// readMailFile parses one message file, streaming it, and hashes its bytes
// on the way for the Version. ok is false when the file no longer exists.
func readMailFile(path, id, display string) (adapters.Item, bool) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return adapters.Item{}, false
	}
	if err != nil {
		return adapters.Item{ID: id, Kind: adapters.KindMessage, Unreadable: display + ": " + err.Error()}, true
	}
	defer f.Close()
	h := sha256.New()
	it, err := mailmsg.Parse(io.TeeReader(f, h))
	version := hex.EncodeToString(h.Sum(nil)[:8])
	if err != nil {
		return adapters.Item{ID: id, Kind: adapters.KindMessage, Version: version, Unreadable: display + ": " + err.Error()}, true
	}
	it.ID, it.Version = id, version
	mailmsg.LimitParts(it.Attachments, 0) // this source lists attachments, it does not serve them
	return it, true
}

// dirMemo keeps the entries of each folder one snapshot read, so that
// removing stale temp files, the fingerprint check and the listing read a
// folder of thousands of files once.
type dirMemo map[string][]os.DirEntry

func (m dirMemo) read(dir string) ([]os.DirEntry, error) {
	if entries, ok := m[dir]; ok {
		return entries, nil
	}
	entries, err := os.ReadDir(dir)
	if err == nil {
		m[dir] = entries
	}
	return entries, err
}
