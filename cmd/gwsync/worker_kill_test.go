package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// fleet is a set-up for `gwsync worker` processes: one PostgreSQL database
// with the state, the CRM (schema crm) and the job queue, and per user a
// files source of their own.
type fleet struct {
	t      *testing.T
	dir    string
	config string
	dsn    string
	users  []string
	logs   []*workerLog
}

func newFleet(t *testing.T, nUsers int, workerYAML string) *fleet {
	t.Helper()
	return newFleetOn(t, pgtest.NewDatabase(t), nUsers, workerYAML)
}

// newFleetOn is newFleet on the database dsn.
func newFleetOn(t *testing.T, dsn string, nUsers int, workerYAML string) *fleet {
	t.Helper()
	f := &fleet{t: t, dir: t.TempDir(), dsn: dsn}
	f.config = filepath.Join(f.dir, "gwsync.yaml")
	var b strings.Builder
	fmt.Fprintf(&b, "state: %q\n", f.dsn)
	fmt.Fprintf(&b, "crm: {plugin: crmsql, options: {dsn: %q, schema: crm, create_contacts: true}}\n", f.dsn)
	b.WriteString("defaults: {window: {past: 10y, future: 10y}, conflict: newest-wins, time_zone: Europe/Berlin}\n")
	b.WriteString("serve: {interval: 1h}\n")
	b.WriteString(workerYAML)
	b.WriteString("users:\n")
	for i := range nUsers {
		u := fmt.Sprintf("u%02d", i)
		f.users = append(f.users, u)
		for _, d := range []string{"calendar", "mail"} {
			if err := os.MkdirAll(filepath.Join(f.dir, u, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&b, "  - name: %s\n    email: %s@example.com\n    export_to: files\n    sources:\n", u, u)
		fmt.Fprintf(&b, "      - {name: files, plugin: files, options: {calendar_dir: ./%s/calendar, mail_dir: ./%s/mail}}\n", u, u)
	}
	if err := os.WriteFile(f.config, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// writeItems writes items into a user's dirs.
func (f *fleet) writeItems(user string, items []adapters.Item) {
	f.t.Helper()
	tmp := f.t.TempDir()
	if _, err := files.WriteFixture(tmp, items); err != nil {
		f.t.Fatal(err)
	}
	copyDir(f.t, filepath.Join(tmp, "calendar"), filepath.Join(f.dir, user, "calendar"))
	copyDir(f.t, filepath.Join(tmp, "mail"), filepath.Join(f.dir, user, "mail"))
}

func (f *fleet) gwsync(args ...string) runResult {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gwsyncBin, append(args, "--config", f.config)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		f.t.Fatalf("gwsync %v: %v", args, err)
	}
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

func (f *fleet) mustRun(args ...string) runResult {
	f.t.Helper()
	r := f.gwsync(args...)
	if r.code != 0 {
		f.t.Fatalf("gwsync %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// workerLog is one `gwsync worker` process: its log file and, once it
// ended, how.
type workerLog struct {
	cmd    *exec.Cmd
	path   string
	done   chan error
	killed time.Time // zero: not killed
}

func (f *fleet) startWorker() *workerLog {
	f.t.Helper()
	w := &workerLog{path: filepath.Join(f.dir, fmt.Sprintf("worker-%03d.log", len(f.logs))), done: make(chan error, 1)}
	out, err := os.Create(w.path)
	if err != nil {
		f.t.Fatal(err)
	}
	w.cmd = exec.Command(gwsyncBin, "worker", "--log-level", "info", "--config", f.config)
	w.cmd.Stdout, w.cmd.Stderr = out, out
	if err := w.cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	go func() { w.done <- w.cmd.Wait(); out.Close() }()
	f.logs = append(f.logs, w)
	f.t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			w.cmd.Process.Kill()
			<-w.done
		}
	})
	return w
}

func (w *workerLog) kill() {
	w.cmd.Process.Signal(syscall.SIGKILL)
	w.killed = time.Now()
	<-w.done
}

// interval is a user's sync in one worker, from its log.
type interval struct {
	user       string
	start, end time.Time
	log        string
}

// intervals reads the syncs a worker logged. A sync that never ended was
// cut by the SIGKILL: it ends at the kill.
func (w *workerLog) intervals(t *testing.T) []interval {
	t.Helper()
	data, err := os.ReadFile(w.path)
	if err != nil {
		t.Fatal(err)
	}
	open := map[string]time.Time{}
	var out []interval
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		started, ended := strings.Contains(line, "sync started:"), strings.Contains(line, "sync ended:")
		if !started && !ended {
			continue
		}
		ts, _, _ := strings.Cut(line, " ")
		at, err := time.Parse("2006-01-02T15:04:05.000Z0700", ts)
		if err != nil {
			t.Fatalf("%s: %q: %v", w.path, line, err)
		}
		user := field(line, "user")
		if started {
			open[user] = at
			continue
		}
		if s, ok := open[user]; ok {
			out = append(out, interval{user: user, start: s, end: at, log: w.path})
			delete(open, user)
		}
	}
	for user, s := range open {
		if w.killed.IsZero() {
			t.Errorf("%s: the sync of %s started at %s never ended, and the worker was not killed", w.path, user, s)
			continue
		}
		out = append(out, interval{user: user, start: s, end: w.killed, log: w.path})
	}
	return out
}

func field(line, key string) string {
	_, rest, ok := strings.Cut(line, " "+key+"=")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, " ")
	return v
}

// TestWorkersKilled runs 3 `gwsync worker` processes on one PostgreSQL
// (state, CRM and queue) for 50 users with files sources, and kills a
// random one with SIGKILL at random moments (at least 30 times), starting
// it again each time, while new e-mails, events and CRM appointments
// arrive and every user's sync is enqueued again and again. At the end:
// every item is in the CRM once, every CRM appointment exported once, no
// user's syncs overlapped (the workers' logs and the run journal), every
// user is settled (a plan finds nothing to do), no job was given up, and
// the workers stop on SIGTERM without an error line.
func TestWorkersKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills worker processes ~30 times")
	}
	const nUsers, kills = 50, 30
	f := newFleet(t, nUsers, "worker: {concurrency: 4, rescue_after: 2s, lease_ttl: 4s, shutdown_grace: 20s}\n")
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	base := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	items := map[string][]adapters.Item{}
	n := 0
	addItems := func(user string, count int) {
		var batch []adapters.Item
		for range count {
			n++
			st := base.Add(time.Duration(n%2000) * 3 * time.Hour)
			batch = append(batch,
				adapters.Item{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:wk-%d@example.com", n), Subject: fmt.Sprintf("Visit %d", n),
					Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)}, Modified: time.Now().Add(-time.Hour)},
				adapters.Item{Kind: adapters.KindMessage, Key: fmt.Sprintf("mid:wk-%d@example.org", n), Subject: fmt.Sprintf("Order %d", n),
					From: "buyer@example.org", To: []string{user + "@example.com"}, Date: base.Add(time.Duration(n) * time.Minute),
					Body: strings.Repeat("Please quote. ", 40)})
		}
		f.writeItems(user, batch)
		items[user] = append(items[user], batch...)
	}
	for _, u := range f.users {
		addItems(u, 2)
	}
	f.mustRun("jobs", "enqueue", "--all") // migrates River's tables before three workers race to
	crm, err := crmsql.OpenStoreOptions(ctx, crmsql.Options{DSN: f.dsn, Schema: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	exportsWanted := map[string]int{}
	slots := []*workerLog{f.startWorker(), f.startWorker(), f.startWorker()}
	maxConns := 0
	for k := range kills {
		for range 3 {
			addItems(f.users[rng.IntN(nUsers)], 1)
		}
		u := f.users[rng.IntN(nUsers)]
		st := base.Add(time.Duration(k)*24*time.Hour + 7*time.Hour)
		if _, err := crm.CreateActivity(ctx, adapters.Activity{Type: adapters.TypeAppointment, Subject: fmt.Sprintf("CRM call %d", k),
			Owners: []string{u}, Raster: adapters.Raster{Start: st, End: st.Add(30 * time.Minute)}}); err != nil {
			t.Fatal(err)
		}
		exportsWanted[u]++
		f.mustRun("jobs", "enqueue", "--all")
		time.Sleep(time.Duration(200+rng.IntN(1000)) * time.Millisecond)
		maxConns = max(maxConns, connections(t, f.dsn))
		i := rng.IntN(len(slots))
		slots[i].kill()
		slots[i] = f.startWorker()
	}
	// Every job, rescued ones included, finishes; then one more pass
	// that starts after the last change, so every user saw everything.
	for pass := range 2 {
		r := f.mustRun("jobs", "wait", "--timeout", "150s")
		t.Logf("pass %d: %s", pass, strings.TrimSpace(r.stdout))
		if strings.Contains(r.stdout, "discarded=0") == false {
			t.Errorf("jobs were given up: %s", r.stdout)
		}
		if pass == 0 {
			f.mustRun("jobs", "enqueue", "--all")
		}
	}
	maxConns = max(maxConns, connections(t, f.dsn))
	// A graceful stop: SIGTERM, exit 0, no error line.
	for _, w := range slots {
		w.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-w.done; err != nil {
			t.Errorf("%s: SIGTERM: %v", w.path, err)
		}
		if data, _ := os.ReadFile(w.path); bytes.Contains(data, []byte("[ERROR]")) {
			t.Errorf("%s: error lines after a normal shutdown:\n%s", w.path, data)
		}
	}
	t.Logf("%d users, %d worker processes started, %d killed with SIGKILL; at most %d PostgreSQL connections",
		nUsers, len(f.logs), kills, maxConns)

	// The CRM: every item once.
	acts, err := crm.AllActivities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	for _, a := range acts {
		byKey[a.Key]++
	}
	total := 0
	for _, list := range items {
		for _, it := range list {
			total++
			if byKey[it.Key] != 1 {
				t.Errorf("%s imported %d times", it.Key, byKey[it.Key])
			}
		}
	}
	if want := total + kills; len(acts) != want {
		t.Errorf("%d activities in the CRM, want %d items + %d CRM appointments", len(acts), total, kills)
	}
	// The exports: once each, in the owner's calendar.
	for _, u := range f.users {
		got, _ := filepath.Glob(filepath.Join(f.dir, u, "calendar", "gwsync-*.ics"))
		if len(got) != exportsWanted[u] {
			t.Errorf("%s: %d exported files, want %d", u, len(got), exportsWanted[u])
		}
	}
	// No user ran in two workers at once: the logs' intervals (killed
	// syncs end at their kill), and the journal's finished runs.
	var all []interval
	for _, w := range f.logs {
		all = append(all, w.intervals(t)...)
	}
	checkNoOverlap(t, all)
	checkJournal(t, f)
	// Settled: cursors and links current, nothing left to do.
	dec := json.NewDecoder(strings.NewReader(f.mustRun("plan", "--json").stdout))
	plans := 0
	for {
		var p engine.Plan
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("plan --json: %v", err)
		}
		plans++
		if p.Writes() > 0 {
			t.Errorf("%s not settled: %d writes planned", p.User, p.Writes())
		}
	}
	if plans != nUsers {
		t.Errorf("%d plans, want %d", plans, nUsers)
	}
	assertNoOrphanPlugins(t)
}

func checkNoOverlap(t *testing.T, all []interval) {
	t.Helper()
	byUser := map[string][]interval{}
	for _, iv := range all {
		byUser[iv.user] = append(byUser[iv.user], iv)
	}
	syncs := 0
	for u, ivs := range byUser {
		sort.Slice(ivs, func(i, j int) bool { return ivs[i].start.Before(ivs[j].start) })
		for i := 1; i < len(ivs); i++ {
			if ivs[i].start.Before(ivs[i-1].end) {
				t.Errorf("%s synced twice at once: %s–%s (%s) and %s–%s (%s)", u,
					ivs[i-1].start.Format(time.StampMilli), ivs[i-1].end.Format(time.StampMilli), ivs[i-1].log,
					ivs[i].start.Format(time.StampMilli), ivs[i].end.Format(time.StampMilli), ivs[i].log)
			}
		}
		syncs += len(ivs)
	}
	t.Logf("%d syncs in the workers' logs", syncs)
}

// checkJournal: a user's finished, non-idle runs never overlap (the
// journal keeps seconds, so a run may start in the second the last ended).
func checkJournal(t *testing.T, f *fleet) {
	t.Helper()
	st, err := postgres.Open(context.Background(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, u := range f.users {
		runs, err := st.Runs(context.Background(), u, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var done []state.Run
		for _, r := range runs {
			if !r.Finished.IsZero() && r.Status != state.StatusIdle {
				done = append(done, r)
			}
		}
		sort.Slice(done, func(i, j int) bool { return done[i].ID < done[j].ID })
		for i := 1; i < len(done); i++ {
			if done[i].Started.Before(done[i-1].Finished) {
				t.Errorf("%s: run %d started %s before run %d finished %s", u, done[i].ID, done[i].Started, done[i-1].ID, done[i-1].Finished)
			}
		}
	}
}

// connections counts the server's connections to the test's database.
func connections(t *testing.T, dsn string) int {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.Pool().QueryRow(context.Background(),
		"SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// gwsync worker and gwsync jobs need the queue, which lives in a
// PostgreSQL state: with SQLite they say so.
func TestWorkerNeedsPostgres(t *testing.T) {
	s := newSite(t, "")
	for _, args := range [][]string{{"worker"}, {"jobs", "enqueue", "--all"}, {"jobs", "wait"}} {
		r := s.mustRun(exitError, args...)
		if !strings.Contains(r.stderr, "needs a PostgreSQL state") || !strings.Contains(r.stderr, "gwsync.yaml") {
			t.Errorf("gwsync %v with a SQLite state: %s", args, r.stderr)
		}
	}
}
