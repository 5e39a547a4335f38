package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// workerCPUProfileFlag adds `--cpuprofile FILE` to `gwsync worker`: where
// the per-user time of a worker goes is what the scale benchmark needs to
// know, and a profile of the whole process (River, the state store, the
// plugin pool's gRPC) is the honest answer.
func workerCPUProfileFlag(fs *flag.FlagSet) *string {
	return fs.String("cpuprofile", "", "write the worker's CPU profile to `file` until it stops (go tool pprof reads it)")
}

// startCPUProfile starts profiling into path ("" does nothing); the
// returned stop writes the profile and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "gwsync worker: --cpuprofile %s: %v\n", path, err)
		}
	}, nil
}
