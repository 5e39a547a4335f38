package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --cpuprofile writes a profile pprof can read (it starts with gzip's
// magic bytes) when the worker stops; a path that cannot be created is
// refused before the worker starts.
func TestWorkerCPUProfileWritesAProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worker.pprof")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("the profile (%d bytes) is not gzip-compressed pprof data", len(b))
	}
	bad := filepath.Join(t.TempDir(), "no-such-dir", "worker.pprof")
	if _, err := startCPUProfile(bad); err == nil || !strings.Contains(err.Error(), "--cpuprofile") {
		t.Errorf("startCPUProfile(%s) = %v, want an error naming --cpuprofile", bad, err)
	}
	stop, err = startCPUProfile("")
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
