package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// helperEnv, when set, turns TestHelperProcess into a child process that
// writes to the database named by helperDBEnv.
const (
	helperEnv   = "GWSYNC_STATE_HELPER"
	helperDBEnv = "GWSYNC_STATE_HELPER_DB"
)

func batchOf(user, prefix string, n int) []state.Link {
	out := make([]state.Link, n)
	for i := range out {
		out[i] = state.Link{User: user, Source: "s", ItemID: fmt.Sprintf("%s-%d", prefix, i), Kind: adapters.KindEvent, ActivityID: "A"}
	}
	return out
}

// TestHelperProcess is not a test: it is the child process of the
// multi-process tests. It writes batches of 100 links for user "child" and
// prints "batch N" after each commit, until it has written
// GWSYNC_STATE_HELPER batches ("forever" = until killed).
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("child process helper")
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(helperDBEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	limit, _ := strconv.Atoi(mode) // 0 = forever
	for n := 1; limit == 0 || n <= limit; n++ {
		if err := s.PutLinks(ctx, batchOf("child", fmt.Sprintf("b%d", n), 100)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("batch %d\n", n)
	}
	s.Close()
	os.Exit(0)
}

// startHelper starts the child process writing to path.
func startHelper(t *testing.T, path, mode string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDBEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

func TestSecondProcessWritesTheSameFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd, out := startHelper(t, path, "30")
	for i := range 30 { // write while the child writes
		if err := s.PutLinks(ctx, batchOf("parent", fmt.Sprintf("b%d", i), 100)); err != nil {
			t.Errorf("parent write during child's writes: %v", err)
		}
	}
	for out.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child process: %v", err)
	}
	if n := len(collectLinks(t, s, "child")); n != 3000 {
		t.Errorf("parent sees %d of the child's links, want 3000", n)
	}
	if n := len(collectLinks(t, s, "parent")); n != 3000 {
		t.Errorf("parent has %d own links, want 3000", n)
	}
}

// A writer killed with SIGKILL mid-stream leaves a database that opens, is
// intact, and holds only whole batches (PutLinks is all or nothing).
func TestKilledWriterLeavesWholeBatches(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	cmd, out := startHelper(t, path, "0")
	committed := 0
	for out.Scan() {
		if _, err := fmt.Sscanf(out.Text(), "batch %d", &committed); err == nil && committed >= 20 {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed < 20 {
		t.Fatalf("child committed only %d batches before dying", committed)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	var check string
	if err := s.writer.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	n := len(collectLinks(t, s, "child"))
	if n%100 != 0 || n < committed*100 {
		t.Errorf("%d links after kill; want whole batches of 100 and at least the %d reported", n, committed*100)
	}
}
