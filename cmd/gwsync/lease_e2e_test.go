package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// A second process for the same user does not sync it: `gwsync sync`
// names who holds the user and exits 5, or with --wait waits for the
// holder and then runs. The holder here is the test, standing in for a
// worker or the web scheduler on the same state.
func TestSyncSkipsAUserSyncedElsewhere(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(s.dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	worker := state.Holder{Host: "host-b", PID: 4242, What: "worker"}
	held, err := st.TryLease(ctx, "sam", worker, time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	r := s.mustRun(exitBusy, "sync", "--yes")
	if !strings.Contains(r.stderr, "sam is being synced by worker (PID 4242 on host-b) since ") {
		t.Fatalf("stderr does not name the holder:\n%s", r.stderr)
	}
	if n := len(s.activities()); n != 0 {
		t.Fatalf("a skipped user got %d activities", n)
	}
	// A plan writes nothing and needs no lease.
	s.mustRun(exitOK, "plan")

	// --wait waits until the holder is done, then syncs.
	cmd := exec.Command(gwsyncBin, "sync", "--yes", "--wait", "--config", s.config)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "waiting for it to end") {
		if time.Now().After(deadline) {
			t.Fatalf("sync --wait never said it waits:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-waited:
		t.Fatalf("sync --wait ended while the user was held: %v\n%s", err, out.String())
	default:
	}
	if err := st.ReleaseLease(ctx, held); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("sync --wait: %v\n%s", err, out.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("sync --wait did not run after the lease was released")
	}
	if n := len(s.activities()); n == 0 {
		t.Fatalf("sync --wait imported nothing:\n%s", out.String())
	}
	// The CLI released its lease: the worker can take it again.
	if _, err := st.TryLease(ctx, "sam", worker, time.Minute); err != nil {
		t.Fatalf("the CLI kept the lease: %v", err)
	}
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
