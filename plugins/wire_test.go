package plugins_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openBoth opens a source over the in-memory gRPC connection and in a
// child process.
func openBoth(t *testing.T, adapter string) map[string]adapters.Source {
	t.Helper()
	client := plugins.MustServeInMemory(t)
	cfg := adapters.Config{Name: "under-test"}
	inMem, err := plugins.DialSource(ctxFor(t), client, adapter, cfg)
	if err != nil {
		t.Fatalf("grpc: %v", err)
	}
	child, err := plugins.OpenSource(ctxFor(t), conformance.SubprocessLaunch(adapter, cfg))
	if err != nil {
		t.Fatalf("subprocess: %v", err)
	}
	for _, s := range []adapters.Source{inMem, child} {
		t.Cleanup(func() { _ = s.Close() })
	}
	return map[string]adapters.Source{"grpc": inMem, "subprocess": child}
}

func allCodes() []adapters.Code {
	var out []adapters.Code
	for c := adapters.Code(0); !strings.HasPrefix(c.String(), "code("); c++ {
		out = append(out, c)
	}
	return out
}

// Every code an adapter uses reaches the host unchanged: per item, for a
// whole call, and for a failed stream.
func TestEveryCodeSurvivesTheWire(t *testing.T) {
	for name, src := range openBoth(t, "plugintest-codes") {
		t.Run(name, func(t *testing.T) {
			var changes []adapters.TimeChange
			for _, c := range allCodes() {
				changes = append(changes, adapters.TimeChange{ID: strconv.Itoa(int(c))})
			}
			results, err := src.(adapters.TimeWriter).PutTimes(ctxFor(t), changes)
			if err != nil {
				t.Fatalf("PutTimes: %v", err)
			}
			data, err := src.(adapters.AttachmentReader).ReadAttachment(ctxFor(t), "msg-1", "ok", 1<<20)
			if err != nil || string(data) != "%PDF-1.4\x00\xffmsg-1" {
				t.Fatalf("ReadAttachment: %q, %v", data, err)
			}
			if err := src.(adapters.Committer).Committed(ctxFor(t), "ok"); err != nil {
				t.Fatalf("Committed: %v", err)
			}
			for i, c := range allCodes() {
				if got := adapters.CodeOf(results[i].Err); got != c {
					t.Errorf("per-item %s arrived as %s (%v)", c, got, results[i].Err)
				}

				_, err := src.(adapters.Exporter).Export(ctxFor(t), []adapters.Activity{{ID: strconv.Itoa(int(c))}})
				if got := adapters.CodeOf(err); got != c {
					t.Errorf("whole-call %s arrived as %s (%v)", c, got, err)
				}

				_, err = src.(adapters.AttachmentReader).ReadAttachment(ctxFor(t), strconv.Itoa(int(c)), "2", 1<<20)
				if got := adapters.CodeOf(err); got != c {
					t.Errorf("ReadAttachment %s arrived as %s (%v)", c, got, err)
				}

				err = src.(adapters.Committer).Committed(ctxFor(t), strconv.Itoa(int(c)))
				if got := adapters.CodeOf(err); got != c || !strings.Contains(err.Error(), "committed "+strconv.Itoa(int(c))+" failed") {
					t.Errorf("Committed %s arrived as %s (%v)", c, got, err)
				}

				emitted := 0
				_, err = src.Snapshot(ctxFor(t), adapters.SnapshotRequest{Cursor: strconv.Itoa(int(c))}, func(adapters.Item) error { emitted++; return nil })
				if got := adapters.CodeOf(err); got != c || !strings.Contains(err.Error(), "snapshot failed with "+c.String()) {
					t.Errorf("stream %s arrived as %s (%v)", c, got, err)
				}
			}
		})
	}
}

// A plugin that dies mid-snapshot fails the snapshot (it never looks
// short) and the error carries the plugin's last words.
func TestCrashMidSnapshotReportsPluginOutput(t *testing.T) {
	src, err := plugins.OpenSource(ctxFor(t), conformance.SubprocessLaunch("plugintest-crash", adapters.Config{Name: "crashy"}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	emitted := 0
	_, err = src.Snapshot(ctxFor(t), adapters.SnapshotRequest{}, func(adapters.Item) error { emitted++; return nil })
	if err == nil {
		t.Fatalf("snapshot of a crashed plugin succeeded after %d items", emitted)
	}
	for _, want := range []string{"the plugin process exited", "panic: boom: parser exploded mid-snapshot", "[ERROR] about to read the broken file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Info tells the truth about capabilities, and the host refuses what the
// plugin does not declare, although the host value implements everything.
func TestUndeclaredCapabilitiesAreUnsupported(t *testing.T) {
	for name, src := range openBoth(t, "plugintest-readonly") {
		t.Run(name, func(t *testing.T) {
			w, okW := src.(adapters.TimeWriter)
			x, okX := src.(adapters.Exporter)
			r, okR := src.(adapters.AttachmentReader)
			c, okC := src.(adapters.Committer)
			if !okW || !okX || !okR || !okC {
				t.Fatal("host-side source does not implement TimeWriter, Exporter, AttachmentReader and Committer")
			}
			_, err := x.Export(ctxFor(t), []adapters.Activity{{ID: "a", Type: adapters.TypeAppointment}})
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("Export on a non-exporter: %v, want Unsupported", err)
			}
			info, err := src.Info(ctxFor(t))
			if err != nil {
				t.Fatal(err)
			}
			if info.Capabilities.WriteTimes || info.Capabilities.Export || info.Capabilities.ReadAttachments || info.Capabilities.Committed {
				t.Errorf("Info capabilities %+v, want none", info.Capabilities)
			}
			_, err = r.ReadAttachment(ctxFor(t), "x", "2", 1<<20)
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("ReadAttachment after Info declared no ReadAttachments: %v, want Unsupported", err)
			}
			err = c.Committed(ctxFor(t), "cursor")
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("Committed after Info declared no Committed: %v, want Unsupported", err)
			}
			_, err = w.PutTimes(ctxFor(t), []adapters.TimeChange{{ID: "x"}})
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("PutTimes after Info declared no WriteTimes: %v, want Unsupported", err)
			}
		})
	}
}

// The host never guesses capabilities from the plugin's Go type: even
// before anybody asked Info, a call to a capability the remote did not
// declare is Unsupported and never reaches it (readOnlySource implements
// TimeWriter, AttachmentReader and Committer, and would answer).
func TestCapabilitiesAreExactlyWhatTheRemoteDeclared(t *testing.T) {
	for name, src := range openBoth(t, "plugintest-readonly") {
		t.Run(name, func(t *testing.T) {
			results, err := src.(adapters.TimeWriter).PutTimes(ctxFor(t), []adapters.TimeChange{{ID: "x"}})
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("PutTimes before Info: %v %v, want Unsupported (the remote declared no WriteTimes)", results, err)
			}
			data, err := src.(adapters.AttachmentReader).ReadAttachment(ctxFor(t), "x", "2", 1<<20)
			if adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("ReadAttachment before Info: %q %v, want Unsupported", data, err)
			}
			if err := src.(adapters.Committer).Committed(ctxFor(t), "cursor"); adapters.CodeOf(err) != adapters.CodeUnsupported {
				t.Errorf("Committed before Info: %v, want Unsupported", err)
			}
			info, err := src.Info(ctxFor(t))
			if err != nil {
				t.Fatal(err)
			}
			if info.Capabilities != (adapters.Capabilities{}) {
				t.Errorf("Info capabilities %+v, want exactly the declared none", info.Capabilities)
			}
		})
	}
}

func TestUnknownAdapterIsInvalidConfig(t *testing.T) {
	_, err := plugins.OpenSource(ctxFor(t), conformance.SubprocessLaunch("no-such-adapter", adapters.Config{Name: "x"}))
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "no-such-adapter") {
		t.Fatalf("got %v, want InvalidConfig naming the adapter", err)
	}
}

func TestChecksumMismatchRefusesToStart(t *testing.T) {
	l := conformance.SubprocessLaunch("memory", adapters.Config{Name: "pinned"})
	l.SHA256 = strings.Repeat("0", 64)
	if _, err := plugins.OpenSource(ctxFor(t), l); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("got %v, want a checksum error", err)
	}

	l = conformance.SubprocessLaunch("memory", adapters.Config{Name: "pinned"})
	l.SHA256 = fileSHA256(t, l.Cmd.Path)
	src, err := plugins.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatalf("right checksum: %v", err)
	}
	_ = src.Close()
}

func fileSHA256(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Close ends the child process.
func TestCloseKillsThePlugin(t *testing.T) {
	l := conformance.SubprocessLaunch("memory", adapters.Config{Name: "short-lived"})
	src, err := plugins.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatal(err)
	}
	if l.Cmd.Process == nil {
		t.Fatal("no child process")
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Cmd.ProcessState == nil || !l.Cmd.ProcessState.Exited() && l.Cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("child still running after Close: %v", l.Cmd.ProcessState)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// A message above gRPC's 4 MiB default reaches the plugin (64 MiB limit).
func TestLargeMessagesPass(t *testing.T) {
	l := conformance.SubprocessLaunch("memory", adapters.Config{Name: "big", Options: []byte(`{"store":"big"}`)})
	src, err := plugins.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	act := adapters.Activity{ID: "big-1", Type: adapters.TypeAppointment, Subject: "big", Body: strings.Repeat("x", 6<<20)}
	results, err := src.(adapters.Exporter).Export(ctxFor(t), []adapters.Activity{act})
	if err != nil || results[0].Err != nil || len(results[0].Item.Body) != len(act.Body) {
		t.Fatalf("export of a 6 MiB body: %v %+v", err, results)
	}
}

// syncBuffer is a log sink the plugin's relay goroutine writes to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The plugin's hclog lines arrive on the host logger named by instance,
// and a stray write to stdout is reported as a warning.
func TestPluginLogsReachTheHostLogger(t *testing.T) {
	var out syncBuffer
	l := conformance.SubprocessLaunch("plugintest-codes", adapters.Config{Name: "work-calendar"})
	l.Logger = hclog.New(&hclog.LoggerOptions{Name: "host", Level: hclog.Info, Output: &out})
	src, err := plugins.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Info(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !(strings.Contains(out.String(), "log-relay-check") && strings.Contains(out.String(), "stray stdout line")) {
		time.Sleep(20 * time.Millisecond)
	}
	_ = src.Close()
	logs := out.String()
	for _, want := range []string{"host.work-calendar", "info requested from the codes plugin", "marker=log-relay-check", "[WARN]", "instead of its logger", "stray stdout line"} {
		if !strings.Contains(logs, want) {
			t.Errorf("host log lacks %q:\n%s", want, logs)
		}
	}
}
