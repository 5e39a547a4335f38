//go:build unix

package plugins_test

import "syscall"

// killProcess kills a plugin process the way a crash or the OOM killer
// would: at once, without a chance to clean up.
func killProcess(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// processAlive reports whether pid still exists (signal 0 checks without
// sending anything).
func processAlive(pid int) bool { return syscall.Kill(pid, 0) == nil }
