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
