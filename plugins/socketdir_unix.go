//go:build unix

package plugins

import (
	"errors"
	"os"
	"syscall"
)

// processExists reports whether pid runs (signal 0 only checks). EPERM
// means it runs as another user: it exists.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownedByMe reports whether the directory entry belongs to this process's
// user: a sweep never touches another user's directories.
func ownedByMe(e os.DirEntry) bool {
	fi, err := e.Info()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
