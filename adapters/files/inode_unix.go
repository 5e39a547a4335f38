//go:build unix

package files

import (
	"os"
	"syscall"
)

// inodeOf returns the file's inode, so a file replaced by another of the
// same size and mtime (a rename over it) still counts as changed.
func inodeOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
