package files

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// PutTimes writes time changes into .ics files. Per change: re-read the
// file, check IfVersion against the hash of its current bytes (Conflict
// when it differs), rewrite only the time properties (icalendar.PatchTimes)
// and replace the file atomically. Per-item errors: NotFound (no such file
// or component, an id of no calendar item), Conflict, InvalidItem (a message, a raster the
// item cannot take, a file that no longer parses), or the I/O error.
func (s *Source) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i].ID = c.ID
		out[i].Version, out[i].Err = s.putTimes(c)
	}
	return out, nil
}

func (s *Source) putTimes(c adapters.TimeChange) (string, error) {
	name, key, ok := splitCalendarID(c.ID)
	dir := s.opts.CalendarDir
	if ok && strings.HasPrefix(c.ID, exportPrefix) {
		dir = s.opts.ExportDir
	}
	if strings.HasPrefix(c.ID, "mail/") {
		return "", adapters.Errorf(adapters.CodeInvalidItem, "%s is a message: it has no times to write", c.ID)
	}
	if !ok || dir == "" {
		return "", adapters.Errorf(adapters.CodeNotFound, "%s is no calendar item of this source", c.ID)
	}
	path := filepath.Join(dir, name)
	data, err := readCapped(path, maxICSBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return "", adapters.Errorf(adapters.CodeNotFound, "%s: file %s is gone", c.ID, name)
	}
	if err != nil {
		return "", err
	}
	if cur := contentVersion(data); c.IfVersion != "" && c.IfVersion != cur {
		return "", adapters.Errorf(adapters.CodeConflict, "%s changed (version %s, expected %s)", c.ID, cur, c.IfVersion)
	}
	if key == "" {
		if key, err = s.keyOf(c.ID, name, data); err != nil {
			return "", err
		}
	}
	patched, err := icalendar.PatchTimes(data, key, c.Raster)
	if err != nil {
		return "", err
	}
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := replaceFile(path, patched, perm); err != nil {
		return "", err
	}
	return contentVersion(patched), nil
}

// keyOf finds the key of the item with that ID in the file, by parsing it
// and assigning IDs as a snapshot does.
func (s *Source) keyOf(id, name string, data []byte) (string, error) {
	items, err := icalendar.Parse(data, icalendar.ParseOptions{Location: s.floating})
	if err != nil {
		return "", adapters.Wrap(adapters.CodeInvalidItem, err, id)
	}
	assignCalendarIDs(name, items)
	for _, it := range items {
		if it.ID == id && it.Key != "" {
			return it.Key, nil
		}
	}
	return "", adapters.Errorf(adapters.CodeNotFound, "%s: no such item in %s", id, name)
}
