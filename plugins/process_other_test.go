//go:build !unix

package plugins_test

import "os"

// killProcess kills a plugin process at once (TerminateProcess on
// Windows).
func killProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// processAlive reports whether pid still exists: FindProcess opens a
// handle on Windows, which fails for a process that is gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
