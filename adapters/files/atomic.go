package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tempPrefix starts the names of our temp files: a dotfile, so a snapshot
// running at the same time never reads a half-written file. The writer's
// pid follows (".gwsync-tmp-<pid>-<random>"), so the temp files of a process
// that was killed can be told from those of one that is still writing.
const tempPrefix = ".gwsync-tmp-"

// writeTemp writes data to a new temp file in dir, synced to disk, and
// returns its path. The caller renames or links it into place, or removes it.
func writeTemp(dir string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(perm)
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return "", werr
	}
	return tmp, nil
}

// replaceFile writes data to path atomically: a temp file in the same
// folder, fsync, rename over the old file, fsync of the folder. A crash at
// any point leaves either the old or the new file, never a half-written one.
func replaceFile(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// createExclusive writes data to a new file at path, atomically and never
// replacing an existing file: the temp file is hard-linked to path (which
// fails if path exists). existed reports that path was there already.
// Where hard links are not supported it falls back to O_EXCL, which is
// still exclusive but not atomic.
func createExclusive(path string, data []byte, perm fs.FileMode) (existed bool, err error) {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data, perm)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	lerr := os.Link(tmp, path)
	switch {
	case lerr == nil:
		syncDir(dir)
		return false, nil
	case errors.Is(lerr, fs.ErrExist):
		return true, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return false, werr
	}
	syncDir(dir)
	return false, nil
}

// syncDir makes a rename or link durable. Best effort: some systems cannot
// fsync a directory, and the data itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// removeStaleTemps deletes the temp files that a killed writer left in dir:
// those whose pid no longer runs, and any older than an hour (a reused pid,
// or a name from another system). Best effort: errors are ignored, as a
// leftover dotfile harms nothing but tidiness.
func removeStaleTemps(dirs dirMemo, dir string) {
	entries, err := dirs.read(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, tempPrefix) {
			continue
		}
		pidText, _, _ := strings.Cut(strings.TrimPrefix(name, tempPrefix), "-")
		pid, perr := strconv.Atoi(pidText)
		info, ierr := e.Info()
		old := ierr == nil && time.Since(info.ModTime()) > time.Hour
		if old || perr != nil || !processAlive(pid) {
			os.Remove(filepath.Join(dir, name))
		}
	}
}
