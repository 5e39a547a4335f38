package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseStatReadsACommandNameWithSpacesAndParentheses(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
	p, err := parseStat("77 (a (b) c) S 12 77 77 0 -1 4194560 100 0 0 0 150 30 7 3 20 0 1 0")
	if err != nil {
		t.Fatal(err)
	}
	if p.ppid != 12 || p.ticks != 150+30+7+3 || p.own != 150+30 {
		t.Fatalf("got %+v, want ppid 12, 190 ticks, 180 its own", p)
	}
	if _, err := parseStat("77 no name"); err == nil {
		t.Fatal("a line without a command name was accepted")
	}
}

func TestTreeTicksCountsDescendantsOnceEvenWhenRootsNest(t *testing.T) {
	procs := map[int]proc{
		1:  {ppid: 0, ticks: 1000},
		10: {ppid: 1, ticks: 5},
		11: {ppid: 10, ticks: 7},
		12: {ppid: 11, ticks: 11},
		20: {ppid: 1, ticks: 13},
	}
	if got := treeTicks(procs, []int{10, 11}); got != 5+7+11 {
		t.Fatalf("tree of 10 and 11: %d ticks, want 23", got)
	}
	if got := treeTicks(procs, []int{99}); got != 0 {
		t.Fatalf("a gone root: %d ticks, want 0", got)
	}
}

func TestReadProcsReadsAProcTree(t *testing.T) {
	root := t.TempDir()
	for pid, stat := range map[string]string{
		"5": "5 (w) S 1 5 5 0 -1 0 0 0 0 0 40 10 0 0 20 0 1 0",
		"6": "6 (imap plugin) S 5 5 5 0 -1 0 0 0 0 0 3 2 0 0 20 0 1 0",
	} {
		if err := os.MkdirAll(filepath.Join(root, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	procs, err := readProcs(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := treeTicks(procs, []int{5}); got != 55 {
		t.Fatalf("worker tree: %d ticks, want 55", got)
	}
	if got := ownTicks(procs, []int{5, 5}); got != 50 {
		t.Fatalf("the worker's own: %d ticks, want 50 (its plugin's 5 apart)", got)
	}
}
