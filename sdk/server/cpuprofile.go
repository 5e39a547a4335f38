package server

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// startCPUProfile profiles this process into PREFIX-PID.pprof when prefix
// (wire.CPUProfileEnv) is set, and returns what stops it; safe to call
// more than once. A profile that cannot start is logged, not fatal: the
// plugin still serves.
func startCPUProfile(prefix string, logger hclog.Logger) (stop func()) {
	if prefix == "" {
		return func() {}
	}
	path := fmt.Sprintf("%s-%d.pprof", prefix, os.Getpid())
	f, err := os.Create(path)
	if err != nil {
		logger.Warn("cannot write the CPU profile", "error", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		logger.Warn("cannot start the CPU profile", "path", path, "error", err)
		f.Close()
		return func() {}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				logger.Warn("cannot write the CPU profile", "path", path, "error", err)
			}
		})
	}
}
