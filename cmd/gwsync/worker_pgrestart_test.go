package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// TestWorkersSurvivePostgresRestart restarts a private PostgreSQL (never
// the suite's shared one) in the middle of a cycle of 2 workers over 20
// users: the runs it cuts fail and are retried, the workers keep going,
// and at the end every item is in the CRM once and every user is settled.
func TestWorkersSurvivePostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL cluster")
	}
	pgtest.ServerDSN(t) // skips (or fails in CI) like every PostgreSQL test
	dir := t.TempDir()
	// As root the cluster runs as the postgres user, who must traverse
	// the test's temporary directories.
	os.Chmod(filepath.Dir(dir), 0o711)
	script := filepath.Join("..", "..", "scripts", "servers", "postgres.sh")
	cmd := exec.Command("bash", script, "start", dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("postgres.sh start: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() { exec.Command("bash", script, "stop", dir).Run() })
	m := regexp.MustCompile(`'(postgres://[^']+)'`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("postgres.sh printed no DSN: %s", out)
	}
	const nUsers = 20
	f := newFleetOn(t, m[1], nUsers, "worker: {concurrency: 3, rescue_after: 3s, lease_ttl: 5s, shutdown_grace: 20s}\n")
	base := time.Date(2027, 5, 3, 8, 0, 0, 0, time.UTC)
	var keys []string
	for i, u := range f.users {
		var batch []adapters.Item
		for j := range 40 {
			k := i*100 + j
			st := base.Add(time.Duration(k) * time.Hour)
			batch = append(batch, adapters.Item{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:rs-%d@example.com", k),
				Subject: fmt.Sprintf("Visit %d", k), Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)}},
				adapters.Item{Kind: adapters.KindMessage, Key: fmt.Sprintf("mid:rs-%d@example.org", k), Subject: fmt.Sprintf("Order %d", k),
					From: "buyer@example.org", To: []string{u + "@example.com"}, Date: base.Add(time.Duration(k) * time.Minute)})
		}
		f.writeItems(u, batch)
		for _, it := range batch {
			keys = append(keys, it.Key)
		}
	}
	f.mustRun("jobs", "enqueue", "--all")
	workers := []*workerLog{f.startWorker(), f.startWorker()}
	// Both workers are up (a worker that cannot reach the database at
	// start exits, for its supervisor to start again: not this test's
	// case), and mid-cycle: some syncs have started.
	for _, w := range workers {
		waitLog(t, []*workerLog{w}, "worker started")
	}
	waitLog(t, workers, "sync started")
	restartPostgres(t, dir)
	r := f.mustRun("jobs", "wait", "--timeout", "150s")
	t.Logf("after the restart: %s", strings.TrimSpace(r.stdout))
	f.mustRun("jobs", "enqueue", "--all")
	r = f.mustRun("jobs", "wait", "--timeout", "150s")
	if !strings.Contains(r.stdout, "discarded=0") {
		t.Errorf("jobs given up: %s", r.stdout)
	}
	for _, w := range workers {
		select {
		case err := <-w.done:
			w.done <- err // the fleet's cleanup waits for it too
			data, _ := os.ReadFile(w.path)
			lines := strings.Split(string(data), "\n")
			t.Errorf("%s: the worker exited during the restart (%v); its log ends:\n%s", w.path, err,
				strings.Join(lines[max(0, len(lines)-25):], "\n"))
		default:
		}
	}
	crm, err := crmsql.OpenStoreOptions(context.Background(), crmsql.Options{DSN: f.dsn, Schema: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	acts, err := crm.AllActivities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	for _, a := range acts {
		byKey[a.Key]++
	}
	for _, k := range keys {
		if byKey[k] != 1 {
			t.Errorf("%s imported %d times", k, byKey[k])
		}
	}
	if len(acts) != len(keys) {
		t.Errorf("%d activities, want %d", len(acts), len(keys))
	}
	failed := 0
	for _, w := range workers {
		data, _ := os.ReadFile(w.path)
		failed += strings.Count(string(data), "outcome=failed")
	}
	t.Logf("%d sync attempts failed with the restart and were retried", failed)
}

// waitLog waits until one of the workers logged want.
func waitLog(t *testing.T, ws []*workerLog, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, w := range ws {
			if data, _ := os.ReadFile(w.path); strings.Contains(string(data), want) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no worker logged %q within a minute", want)
}

// restartPostgres restarts the private cluster in dir at once (fast mode:
// open transactions are rolled back, connections cut).
func restartPostgres(t *testing.T, dir string) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Fatal("pg_ctl not found")
	}
	args := []string{bins[len(bins)-1], "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "data", "server.log"), "-w", "-t", "60", "-m", "fast", "restart"}
	if os.Geteuid() == 0 {
		args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
	}
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl restart: %v\n%s", err, out)
	}
	pid, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err == nil {
		first, _, _ := strings.Cut(string(pid), "\n")
		os.WriteFile(filepath.Join(dir, "postgres.pid"), []byte(first+"\n"), 0o644)
	}
}

// gwsync serve with a PostgreSQL state is also a worker, and the queue's
// periodic job (not the in-process scheduler) syncs the automatic users:
// each once, then SIGTERM stops it cleanly.
func TestServeRunsTheWorker(t *testing.T) {
	f := newFleet(t, 3, "")
	cfg, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.ReplaceAll(string(cfg), "    export_to: files\n", "    export_to: files\n    automatic_matching: true\n"))
	if err := os.WriteFile(f.config, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	for i, u := range f.users {
		f.writeItems(u, []adapters.Item{{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:sv-%d@example.com", i),
			Subject: "Visit", Raster: adapters.Raster{Start: base, End: base.Add(time.Hour)}}})
	}
	logPath := filepath.Join(f.dir, "serve.log")
	out, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(gwsyncBin, "serve", "--address", "127.0.0.1:0", "--log-level", "info", "--config", f.config)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		data, _ := os.ReadFile(logPath)
		if strings.Count(string(data), "sync ended:") >= len(f.users) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the automatic users were not synced within a minute:\n%s", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := f.mustRun("jobs", "wait", "--timeout", "60s")
	if !strings.Contains(r.stdout, "completed=3 ") {
		t.Errorf("jobs: %s", r.stdout)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := <-done; err != nil {
		t.Errorf("serve after SIGINT: %v", err)
	}
	data, _ := os.ReadFile(logPath)
	if strings.Contains(string(data), "[ERROR]") {
		t.Errorf("error lines:\n%s", data)
	}
	crm, err := crmsql.OpenStoreOptions(context.Background(), crmsql.Options{DSN: f.dsn, Schema: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	if acts, err := crm.AllActivities(context.Background()); err != nil || len(acts) != 3 {
		t.Errorf("CRM: %d activities (%v), want 3", len(acts), err)
	}
}
