package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPUProfileFlag: plan and sync write a CPU profile (gzipped protobuf
// naming the sample type cpu/nanoseconds), and an unwritable file fails
// the command naming the file.
func TestCPUProfileFlag(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	for _, cmd := range []string{"plan", "sync"} {
		path := filepath.Join(t.TempDir(), cmd+".pprof")
		args := []string{cmd, "--cpuprofile", path}
		if cmd == "sync" {
			args = append(args, "--yes")
		}
		s.mustRun(0, args...)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: the profile is not gzipped: %v", cmd, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(raw, []byte("nanoseconds")) || !bytes.Contains(raw, []byte("cpu")) {
			t.Errorf("%s: not a CPU profile (%v, %d bytes)", cmd, err, len(raw))
		}
	}
	bad := filepath.Join(t.TempDir(), "missing", "x.pprof")
	r := s.gwsync("plan", "--cpuprofile", bad)
	if r.code != exitError || !strings.Contains(r.stderr, bad) {
		t.Errorf("unwritable profile: exit %d, stderr %q; want %d naming the file", r.code, r.stderr, exitError)
	}
}

// --cpuprofile writes a profile pprof can read (it starts with gzip's
// magic bytes) when stopped; a path that cannot be created is
// refused before any work starts.
func TestStartCPUProfile(t *testing.T) {
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
