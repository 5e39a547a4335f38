package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

func init() {
	adapters.Register(adapters.Registration{
		Name:        "plugintest-pooled",
		Description: "keeps exported activities per instance; Info counts the instances closed in this process",
		NewSource:   newPooledSource,
	})
}

// pooledClosed counts, in a plugin process, the pooledSources closed so far:
// Info reports it, so the host can see that releasing an instance closed
// the adapter in the process.
var pooledClosed atomic.Int64

// pooledSource lists the activities exported to it, as items: state of
// its own, which no other instance may see.
type pooledSource struct {
	label     string
	block     bool // Snapshot emits one item and then waits for its ctx
	failClose bool // Close fails, as a flush on close can

	mu       sync.Mutex
	exported []adapters.Item
}

func newPooledSource(c adapters.Config) (adapters.Source, error) {
	var o struct {
		Label     string `json:"label"`
		Block     bool   `json:"block"`
		FailClose bool   `json:"fail_close"`
	}
	if err := adapters.DecodeOptions(c.Options, &o); err != nil {
		return nil, err
	}
	if o.Label == "" {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "label is required")
	}
	return &pooledSource{label: o.Label, block: o.Block, failClose: o.FailClose}, nil
}

func (s *pooledSource) Info(ctx context.Context) (adapters.Info, error) {
	return adapters.Info{
		Name:         fmt.Sprintf("%s pid=%d closed=%d", s.label, os.Getpid(), pooledClosed.Load()),
		Capabilities: adapters.Capabilities{Export: true},
	}, nil
}

func (s *pooledSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := emit(adapters.Item{ID: s.label + "/own", Kind: adapters.KindEvent, Subject: s.label}); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	if s.block {
		// Past one wire batch (256 items), so the host sees items
		// arrive while the call is still running in the plugin.
		for i := range 300 {
			if err := emit(adapters.Item{ID: fmt.Sprintf("%s/%d", s.label, i), Kind: adapters.KindEvent}); err != nil {
				return adapters.SnapshotEnd{}, err
			}
		}
		<-ctx.Done()
		return adapters.SnapshotEnd{}, ctx.Err()
	}
	s.mu.Lock()
	items := append([]adapters.Item(nil), s.exported...)
	s.mu.Unlock()
	for _, it := range items {
		if err := emit(it); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	return adapters.SnapshotEnd{Count: int64(len(items)) + 1, Complete: true}, nil
}

func (s *pooledSource) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ExportResult, len(acts))
	for i, a := range acts {
		id := fmt.Sprintf("%s/export-%d", s.label, len(s.exported))
		it := adapters.Item{ID: id, Kind: adapters.KindEvent, Subject: a.Subject}
		s.exported = append(s.exported, it)
		out[i] = adapters.ExportResult{ActivityID: a.ID, Item: it}
	}
	return out, nil
}

func (s *pooledSource) Close() error {
	pooledClosed.Add(1)
	if s.failClose {
		return adapters.Errorf(adapters.CodeTemporary, "%s: flush on close failed", s.label)
	}
	return nil
}

// pooledLaunch is a launch of the test binary as a plugin child serving a
// pooledSource labelled label.
func pooledLaunch(label string, block bool) plugins.Launch {
	return conformance.SubprocessLaunch("plugintest-pooled", adapters.Config{
		Name:    "user-" + label,
		Options: fmt.Appendf(nil, `{"label":%q,"block":%v}`, label, block),
	})
}

func newTestPool(t *testing.T, o plugins.PoolOptions) *plugins.Pool {
	t.Helper()
	p := plugins.NewPool(o)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func snapshotSubjects(t *testing.T, src adapters.Source) []string {
	t.Helper()
	var out []string
	_, err := src.Snapshot(ctxFor(t), adapters.SnapshotRequest{}, func(it adapters.Item) error {
		out = append(out, it.Subject)
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return out
}

func infoName(t *testing.T, src adapters.Source) string {
	t.Helper()
	info, err := src.Info(ctxFor(t))
	if err != nil {
		t.Fatalf("info: %v", err)
	}
	return info.Name
}

// pidOf reads the plugin's PID from the Info name of a pooledSource.
func pidOf(t *testing.T, src adapters.Source) int {
	t.Helper()
	var label string
	var pid, closed int
	if _, err := fmt.Sscanf(infoName(t, src), "%s pid=%d closed=%d", &label, &pid, &closed); err != nil {
		t.Fatal(err)
	}
	return pid
}

// Two users' sources share one process and see only their own data;
// closing one leaves the other working and the process running for the
// next Open.
func TestPoolInstancesShareAProcessApart(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{})
	alice, err := pool.OpenSource(ctxFor(t), pooledLaunch("alice", false))
	if err != nil {
		t.Fatal(err)
	}
	bob, err := pool.OpenSource(ctxFor(t), pooledLaunch("bob", false))
	if err != nil {
		t.Fatal(err)
	}
	if st := pool.Stats(); st.Started != 1 || st.Processes != 1 || st.Instances != 2 {
		t.Fatalf("two opens: %+v, want one process serving two instances", st)
	}
	if a, b := pidOf(t, alice), pidOf(t, bob); a != b {
		t.Fatalf("alice in PID %d, bob in PID %d", a, b)
	}
	res, err := alice.(adapters.Exporter).Export(ctxFor(t), []adapters.Activity{{ID: "act-1", Subject: "alice's meeting"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("export: %v %+v", err, res)
	}
	if got := strings.Join(snapshotSubjects(t, alice), ","); got != "alice,alice's meeting" {
		t.Fatalf("alice sees %q", got)
	}
	if got := strings.Join(snapshotSubjects(t, bob), ","); got != "bob" {
		t.Fatalf("bob sees %q", got)
	}

	closedBefore := closedCount(t, bob)
	if err := alice.Close(); err != nil {
		t.Fatal(err)
	}
	if err := alice.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if got := closedCount(t, bob); got != closedBefore+1 {
		t.Fatalf("the plugin closed %d adapters on alice's Close, want 1", got-closedBefore)
	}
	if got := strings.Join(snapshotSubjects(t, bob), ","); got != "bob" {
		t.Fatalf("bob after alice's Close sees %q", got)
	}
	if _, err := alice.Info(ctxFor(t)); err == nil {
		t.Fatal("a closed pooled source still answers")
	}

	carol, err := pool.OpenSource(ctxFor(t), pooledLaunch("carol", false))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(snapshotSubjects(t, carol), ","); got != "carol" {
		t.Fatalf("carol, in alice's old place, sees %q", got)
	}
	if st := pool.Stats(); st.Started != 1 || st.Instances != 2 {
		t.Fatalf("after reuse: %+v, want still one process started", st)
	}
}

func closedCount(t *testing.T, src adapters.Source) int {
	t.Helper()
	var label string
	var pid, closed int
	if _, err := fmt.Sscanf(infoName(t, src), "%s pid=%d closed=%d", &label, &pid, &closed); err != nil {
		t.Fatal(err)
	}
	return closed
}

// A config error is the adapter's, as with OpenSource, and leaves no
// instance behind.
func TestPoolOpenKeepsConfigErrors(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{})
	l := pooledLaunch("x", false)
	l.Config.Options = []byte(`{"label":""}`)
	_, err := pool.OpenSource(ctxFor(t), l)
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "label is required") {
		t.Fatalf("got %v, want the adapter's InvalidConfig", err)
	}
	if st := pool.Stats(); st.Instances != 0 || st.Processes != 1 {
		t.Fatalf("after a failed open: %+v", st)
	}
	l = pooledLaunch("x", false)
	l.Adapter = "no-such-adapter"
	if _, err := pool.OpenSource(ctxFor(t), l); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("unknown adapter: %v, want InvalidConfig", err)
	}
}

// SIGKILL of a pooled process fails the calls in flight on it, of every
// instance it served, with a retryable error; the next Open starts a new
// process that works.
func TestPoolKilledProcessFailsInFlightCallsAndIsReplaced(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{})
	blocked, err := pool.OpenSource(ctxFor(t), pooledLaunch("blocked", true))
	if err != nil {
		t.Fatal(err)
	}
	other, err := pool.OpenSource(ctxFor(t), pooledLaunch("other", false))
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, other)

	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var once sync.Once
		_, err := blocked.Snapshot(ctxFor(t), adapters.SnapshotRequest{}, func(adapters.Item) error {
			once.Do(func() { close(first) })
			return nil
		})
		done <- err
	}()
	<-first // the snapshot is in flight in the plugin
	if err := killProcess(pid); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if err == nil || adapters.CodeOf(err) != adapters.CodeTemporary || !strings.Contains(err.Error(), "the plugin process exited") {
		t.Fatalf("in-flight snapshot on a killed plugin: %v (code %s), want Temporary with the crash", err, adapters.CodeOf(err))
	}
	if _, err := other.Info(ctxFor(t)); adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Fatalf("another instance of the killed plugin: %v, want Temporary", err)
	}
	// Closing the dead instances is harmless.
	if err := blocked.Close(); err != nil {
		t.Fatalf("close on a dead process: %v", err)
	}
	_ = other.Close()

	next, err := pool.OpenSource(ctxFor(t), pooledLaunch("next", false))
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	if got := strings.Join(snapshotSubjects(t, next), ","); got != "next" {
		t.Fatalf("new process sees %q", got)
	}
	if newPID := pidOf(t, next); newPID == pid {
		t.Fatalf("still PID %d", pid)
	}
	if st := pool.Stats(); st.Started != 2 || st.Processes != 1 {
		t.Fatalf("after replacement: %+v, want 2 started, 1 running", st)
	}
}

// Many concurrent Opens share a bounded number of processes; those that
// find every slot taken wait for one.
func TestPoolConcurrentOpensStayBounded(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{MaxInstancesPerProcess: 3, MaxProcessesPerPlugin: 2})
	const users = 24
	var wg sync.WaitGroup
	errs := make(chan error, users)
	var maxInstances atomic.Int64
	for i := range users {
		wg.Go(func() {
			label := fmt.Sprintf("u%02d", i)
			src, err := pool.OpenSource(ctxFor(t), pooledLaunch(label, false))
			if err != nil {
				errs <- err
				return
			}
			defer src.Close()
			if n := int64(pool.Stats().Instances); n > maxInstances.Load() {
				maxInstances.Store(n) // racy maximum, only a rough check below
			}
			var got []string
			_, err = src.Snapshot(ctxFor(t), adapters.SnapshotRequest{}, func(it adapters.Item) error {
				got = append(got, it.Subject)
				return nil
			})
			if err == nil && (len(got) != 1 || got[0] != label) {
				err = fmt.Errorf("%s sees %q", label, got)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := pool.Stats()
	if st.Started > 2 || st.Instances != 0 || maxInstances.Load() > 6 {
		t.Fatalf("after %d users: %+v, at most %d instances at once; want ≤ 2 processes, ≤ 6 instances", users, st, maxInstances.Load())
	}
}

// A waiting Open gives up with its ctx.
func TestPoolFullOpenEndsWithContext(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{MaxInstancesPerProcess: 1, MaxProcessesPerPlugin: 1})
	held, err := pool.OpenSource(ctxFor(t), pooledLaunch("held", false))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	ctx, cancel := context.WithCancel(ctxFor(t))
	go func() {
		for pool.Stats().Instances < 1 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := pool.OpenSource(ctx, pooledLaunch("waits", false)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// A process that serves nobody for IdleTimeout is stopped.
func TestPoolStopsIdleProcesses(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{IdleTimeout: 20 * time.Millisecond})
	src, err := pool.OpenSource(ctxFor(t), pooledLaunch("idle", false))
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, src)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the idle process to stop", func() bool {
		return pool.Stats().Processes == 0 && !processAlive(pid)
	})
}

// Close stops every process; later Opens fail.
func TestPoolCloseStopsProcesses(t *testing.T) {
	pool := plugins.NewPool(plugins.PoolOptions{})
	src, err := pool.OpenSource(ctxFor(t), pooledLaunch("a", false))
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, src)
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if processAlive(pid) {
		t.Fatalf("PID %d still runs after Pool.Close", pid)
	}
	if _, err := src.Info(ctxFor(t)); err == nil {
		t.Fatal("a source of a closed pool still answers")
	}
	_ = src.Close()
	if _, err := pool.OpenSource(ctxFor(t), pooledLaunch("b", false)); !errors.Is(err, plugins.ErrPoolClosed) {
		t.Fatalf("open on a closed pool: %v", err)
	}
}

// Sinks are pooled too: two CRM stores in one process.
func TestPoolSinks(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{})
	open := func(store string) adapters.Sink {
		s, err := pool.OpenSink(ctxFor(t), conformance.SubprocessLaunch("memory", adapters.Config{Name: store, Options: fmt.Appendf(nil, `{"store":%q}`, store)}))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open("pool-crm-a"), open("pool-crm-b")
	defer a.Close()
	defer b.Close()
	if res, err := a.Upsert(ctxFor(t), []adapters.Activity{{Key: "k", Type: adapters.TypeAppointment, Subject: "s"}}); err != nil || res[0].Err != nil {
		t.Fatalf("upsert: %v %+v", err, res)
	}
	count := func(s adapters.Sink) int64 {
		end, err := s.ListActivities(ctxFor(t), adapters.ActivityQuery{}, func(adapters.Activity) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return end.Count
	}
	if ca, cb := count(a), count(b); ca != 1 || cb != 0 {
		t.Fatalf("a lists %d, b %d", ca, cb)
	}
	if st := pool.Stats(); st.Started != 1 {
		t.Fatalf("%+v, want one process", st)
	}
}

// waitFor polls cond for up to 10 s: it waits for an event, it does not
// measure a speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The adapter's Close error reaches the host's Close with its code, and
// the process stays in service.
func TestPoolCloseReturnsTheAdaptersCloseError(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{})
	l := pooledLaunch("flaky", false)
	l.Config.Options = []byte(`{"label":"flaky","fail_close":true}`)
	src, err := pool.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Close()
	if adapters.CodeOf(err) != adapters.CodeTemporary || !strings.Contains(err.Error(), "flaky: flush on close failed") {
		t.Fatalf("Close: %v, want the adapter's Temporary error", err)
	}
	next, err := pool.OpenSource(ctxFor(t), pooledLaunch("after", false))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if got := strings.Join(snapshotSubjects(t, next), ","); got != "after" {
		t.Fatalf("next sees %q", got)
	}
	if st := pool.Stats(); st.Started != 1 {
		t.Fatalf("%+v, want the process kept", st)
	}
}
