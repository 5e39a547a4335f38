//go:build unix

package state

import (
	"errors"
	"syscall"
)

// processExists asks the kernel with signal 0: ESRCH means no such
// process; EPERM means one exists that we may not signal.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
