package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileFlag declares --cpuprofile on a command's flag set.
func cpuProfileFlag(fs *flag.FlagSet, path *string) {
	fs.StringVar(path, "cpuprofile", "", "write a CPU profile of this process to `file` (read it with 'go tool pprof'; adapters out of process are not in it: set in_process: true to see them)")
}

// startCPUProfile starts the profile when path is set and returns what
// stops it and closes the file; the error names the file.
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
			fmt.Fprintf(os.Stderr, "gwsync: --cpuprofile %s: %v\n", path, err)
		}
	}, nil
}
