package plugins

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks the kernel to kill the plugin the moment the engine
// dies. The serve-side watchdog (which polls the parent pid) notices only
// within a second, and an orphan that finishes a write it was in the middle
// of, after a new run has planned, turns a crash into a lost update.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
