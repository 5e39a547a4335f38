package server

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// TestCPUProfile: a prefix gives PREFIX-PID.pprof, a written profile,
// once stopped (twice is harmless); no prefix writes nothing.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	startCPUProfile("", hclog.NewNullLogger())()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("no prefix wrote %v", entries)
	}
	stop := startCPUProfile(filepath.Join(dir, "plugin"), hclog.NewNullLogger())
	stop()
	stop()
	b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("plugin-%d.pprof", os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b { // a profile is gzipped protobuf
		t.Errorf("not a CPU profile: % x", b[:min(len(b), 8)])
	}
}
