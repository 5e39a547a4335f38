package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/sdk"
)

// `gwsync plugin test` runs the conformance suite against plugin
// executables: here the built-ins, each behind a two-line wrapper that
// execs the binary's hidden `plugin serve NAME` (as a third party's
// gwsync-plugin-NAME would be started), and a deliberately broken sink.

// pluginWrapper writes dir/gwsync-plugin-NAME running script.
func pluginWrapper(t *testing.T, dir, name, script string) string {
	t.Helper()
	path := filepath.Join(dir, "gwsync-plugin-"+name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// builtinPlugin wraps the built-in adapter name as a plugin executable.
func builtinPlugin(t *testing.T, dir, name string) string {
	return pluginWrapper(t, dir, name, fmt.Sprintf("exec '%s' plugin serve %s", gwsyncBin, name))
}

func runPluginTestCmd(t *testing.T, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gwsyncBin, append([]string{"plugin", "test"}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("gwsync plugin test %v: %v", args, err)
	}
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// requireReport checks the exit code and that every named check has the
// result wanted (names not listed must pass); it returns the report.
func requireReport(t *testing.T, r runResult, code int, want map[string]conformance.Result) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	seen := map[string]conformance.Result{}
	for _, line := range strings.Split(r.stdout, "\n") {
		for _, res := range []conformance.Result{conformance.Pass, conformance.Fail, conformance.Skip} {
			if name, ok := strings.CutPrefix(line, string(res)+"  "); ok {
				seen[name] = res
			}
		}
	}
	if len(seen) == 0 {
		t.Fatalf("no check in the report:\n%s", r.stdout)
	}
	for name, res := range seen {
		if w, ok := want[name]; ok && res != w || !ok && res != conformance.Pass {
			t.Errorf("check %s: %s, want %s\n%s", name, res, map[bool]conformance.Result{true: w, false: conformance.Pass}[ok], r.stdout)
		}
	}
	for name := range want {
		if _, ok := seen[name]; !ok {
			t.Errorf("check %s missing from the report:\n%s", name, r.stdout)
		}
	}
}

func writeOptions(t *testing.T, dir, yaml string) string {
	t.Helper()
	path := filepath.Join(dir, "options.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPluginTestPassesTheBuiltinMemorySink(t *testing.T) {
	dir := t.TempDir()
	r := runPluginTestCmd(t, builtinPlugin(t, dir, "memory"), "--kind", "sink")
	requireReport(t, r, exitOK, map[string]conformance.Result{"pooled/seed-fixture": conformance.Pass, "pooled/second-instance": conformance.Pass,
		"process/seed-fixture": conformance.Pass, "process/update-times": conformance.Pass,
		"process/list-changes": conformance.Skip}) // the memory sink keeps no change cursor
	if !strings.Contains(r.stdout, `(sink "memory")`) || !strings.Contains(r.stdout, "17 passed, 0 failed, 1 skipped") {
		t.Errorf("report heading or count:\n%s", r.stdout)
	}
}

func TestPluginTestPassesTheBuiltinCrmsqlSinkWithItsOptions(t *testing.T) {
	dir := t.TempDir()
	plugin := builtinPlugin(t, dir, "crmsql")
	// A relative path in the options file is taken from the file's folder.
	opts := writeOptions(t, dir, "dsn: sqlite:./crm.db\n")
	// PATH after the flags works as well as before them.
	r := runPluginTestCmd(t, "--config", opts, plugin)
	requireReport(t, r, exitOK, map[string]conformance.Result{"process/upsert-same-key": conformance.Pass})
	if _, err := os.Stat(filepath.Join(dir, "crm.db")); err != nil {
		t.Errorf("the options' relative dsn did not reach the plugin: %v", err)
	}
	// The same CRM again holds more than the fixture: a readable refusal.
	again := runPluginTestCmd(t, plugin, "--config", opts)
	requireReport(t, again, exitError, map[string]conformance.Result{"pooled/seed-fixture": conformance.Fail})
	if !strings.Contains(again.stdout, "point the options at an empty test CRM") {
		t.Errorf("second run against the same CRM:\n%s", again.stdout)
	}
}

func TestPluginTestPassesTheBuiltinFilesSource(t *testing.T) {
	dir := t.TempDir()
	optsJSON, err := files.WriteFixture(filepath.Join(dir, "fixture"), conformance.StandardFixture().Items)
	if err != nil {
		t.Fatal(err)
	}
	opts := writeOptions(t, dir, string(optsJSON)) // JSON is YAML
	r := runPluginTestCmd(t, builtinPlugin(t, dir, "files"), "--kind", "source", "--config", opts)
	requireReport(t, r, exitOK, map[string]conformance.Result{"pooled/snapshot": conformance.Pass, "pooled/second-instance": conformance.Pass,
		"process/snapshot": conformance.Pass, "process/put-times": conformance.Pass,
		// files declares neither
		"pooled/read-attachment": conformance.Skip, "process/read-attachment": conformance.Skip, "process/committed": conformance.Skip})
}

func TestPluginTestFailsABrokenSinkNamingTheCheckAndWhy(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	broken := pluginWrapper(t, dir, "broken", fmt.Sprintf("%s=1 exec '%s'", brokenSinkEnv, self))
	r := runPluginTestCmd(t, broken, "--kind", "sink")
	requireReport(t, r, exitError, map[string]conformance.Result{"process/update-times": conformance.Fail, "process/list-changes": conformance.Skip})
	if !strings.Contains(r.stdout, "UpdateTimes with stale version: no error, want conflict") {
		t.Errorf("the failure does not say why:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "does not pass the conformance suite") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// A plugin that works in a process of its own but breaks when one process
// serves several instances (here: closing one instance closes the store
// all of them share) fails `plugin test`, in the pooled check that shows
// it, and passes everything else.
func TestPluginTestFailsASinkThatBreaksOnlyWhenPooled(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plugin := pluginWrapper(t, dir, "sharedstore", fmt.Sprintf("%s=%s exec '%s'", brokenSinkEnv, brokenWhenPooled, self))
	r := runPluginTestCmd(t, plugin, "--kind", "sink")
	requireReport(t, r, exitError, map[string]conformance.Result{"pooled/second-instance": conformance.Fail, "process/list-changes": conformance.Skip})
	if !strings.Contains(r.stdout, "the first instance fails after a second instance in its process was closed") {
		t.Errorf("the failure does not say why:\n%s", r.stdout)
	}
}

func TestPluginTestFailsWhatIsNoPluginInSetup(t *testing.T) {
	dir := t.TempDir()
	notPlugin := pluginWrapper(t, dir, "chatty", "echo 'hello, I am not a plugin'; exit 3")
	r := runPluginTestCmd(t, notPlugin)
	requireReport(t, r, exitError, map[string]conformance.Result{"pooled/setup": conformance.Fail, "process/setup": conformance.Fail})
	if !strings.Contains(r.stdout, "open sink chatty") {
		t.Errorf("setup failure does not name what failed:\n%s", r.stdout)
	}
	if r := runPluginTestCmd(t, notPlugin, "--kind", "calendar"); r.code != exitUsage {
		t.Errorf("--kind calendar: exit %d, want %d", r.code, exitUsage)
	}
}

// brokenSinkEnv makes the test binary serve brokenSink (TestMain).
const brokenSinkEnv = "GWSYNC_E2E_SERVE_BROKEN_SINK"

// brokenSink is the memory sink with one defect a third party could
// make: UpdateTimes ignores IfVersion, so a stale write wins.
type brokenSink struct{ adapters.Sink }

func (b brokenSink) UpdateTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	for i := range changes {
		changes[i].IfVersion = ""
	}
	return b.Sink.UpdateTimes(ctx, changes)
}

// brokenWhenPooled, as brokenSinkEnv's value, serves sharedStoreSink.
const brokenWhenPooled = "pooled"

// sharedStore is the one memory sink every instance of a sharedStoreSink
// process uses, and whether an instance's Close closed it.
var sharedStore struct {
	once   sync.Once
	sink   adapters.Sink
	closed atomic.Bool
}

// sharedStoreSink is the defect of a plugin written for one instance per
// process: the store is global, and closing any instance closes it.
type sharedStoreSink struct{ adapters.Sink }

func (s sharedStoreSink) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	if sharedStore.closed.Load() {
		return adapters.ListEnd{}, adapters.Errorf(adapters.CodeTemporary, "store closed")
	}
	return s.Sink.ListActivities(ctx, q, emit)
}

func (s sharedStoreSink) Close() error {
	sharedStore.closed.Store(true)
	return nil
}

func serveSharedStoreSink() {
	sdk.ServeSink(func(cfg adapters.Config) (adapters.Sink, error) {
		sink, err := adapters.NewSink("memory", cfg) // checks the options
		if err != nil {
			return nil, err
		}
		sharedStore.once.Do(func() { sharedStore.sink = sink })
		return sharedStoreSink{sharedStore.sink}, nil
	})
}

func serveBrokenSink() {
	sdk.ServeSink(func(cfg adapters.Config) (adapters.Sink, error) {
		sink, err := adapters.NewSink("memory", cfg)
		if err != nil {
			return nil, err
		}
		return brokenSink{sink}, nil
	})
}
