package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestObserveTree checks that the peaks cover a process and its
// descendants, read from the real /proc: this test process with a child
// (sh) that has a child of its own (sleep).
func TestObserveTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var p Peaks
	for i := 0; i < 200 && p.Children < 2; i++ { // sh needs a moment to start sleep
		p = Peaks{}
		p.observe(readProcs(), []int{os.Getpid()})
	}
	if p.Children < 2 {
		t.Fatalf("children = %d, want at least sh and sleep", p.Children)
	}
	self, ok := readProc(os.Getpid())
	if !ok || self.rss == 0 || self.hwm < self.rss {
		t.Fatalf("own /proc entry = %+v, %v", self, ok)
	}
	// The test's own memory moves while it runs: compare loosely.
	if p.WorkerHWM < self.rss/2 || p.TreeRSS < self.rss/2 {
		t.Errorf("peaks %+v do not cover this process (%+v)", p, self)
	}
}

func TestParsePIDs(t *testing.T) {
	got, err := parsePIDs(" 12, 34 ,")
	if err != nil || len(got) != 2 || got[0] != 12 || got[1] != 34 {
		t.Errorf("parsePIDs = %v, %v", got, err)
	}
	if _, err := parsePIDs("12,x"); err == nil {
		t.Error("parsePIDs accepted x")
	}
}
