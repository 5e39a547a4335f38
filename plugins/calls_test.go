package plugins_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/plugins"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// rpcCounter counts the calls a plugin server answers, by method
// ("SourceService/Info"). With old set, Configure answers as a plugin
// built with an SDK from before Configure carried the first Info.
type rpcCounter struct {
	old   bool
	mu    sync.Mutex
	calls map[string]int
}

func (c *rpcCounter) count(fullMethod string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[strings.TrimPrefix(fullMethod, "/gwsync.plugin.v1.")]++
}

func (c *rpcCounter) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	c.count(info.FullMethod)
	resp, err := handler(ctx, req)
	if r, ok := resp.(*pb.SourceServiceConfigureResponse); ok && c.old {
		r.Info, r.InfoError = nil, nil
	}
	return resp, err
}

func (c *rpcCounter) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	c.count(info.FullMethod)
	return handler(srv, ss)
}

// TestCallsOfANoChangeRun pins the gRPC calls one source instance and
// an out-of-process CRM cost per engine run with nothing to do: each is syscalls and HTTP/2 frames on
// both sides, for every user of a worker, every run. If this fails
// because a call was added, make sure it is worth that, then change the
// numbers. An older plugin (no Info in Configure's answer) costs the Info
// call it always did.
func TestCallsOfANoChangeRun(t *testing.T) {
	for _, c := range []struct {
		name string
		old  bool
		want map[string]int
	}{
		{"current", false, map[string]int{"SourceService/Configure": 1, "SourceService/Snapshot": 1,
			"SinkService/Configure": 1, "SinkService/Info": 1, "SinkService/ListChanges": 1}},
		{"older-plugin", true, map[string]int{"SourceService/Configure": 1, "SourceService/Info": 1, "SourceService/Snapshot": 1,
			"SinkService/Configure": 1, "SinkService/Info": 1, "SinkService/ListChanges": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := ctxFor(t)
			st, err := sqlite.Open(ctx, t.TempDir()+"/state.db")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			opts, _ := json.Marshal(map[string]string{"store": "calls-" + c.name})
			crmOpts, _ := json.Marshal(map[string]string{"store": "calls-crm-" + c.name})
			memory.Shared("calls-crm-" + c.name).ChangeCursor = true // as crmsql: runs list changes
			counter := &rpcCounter{old: c.old}
			run := func() map[string]int {
				t.Helper()
				counter.mu.Lock()
				counter.calls = map[string]int{}
				counter.mu.Unlock()
				// A fresh instance per run, as a worker opens one per user run.
				cp := plugins.MustServeInMemoryWith(t, grpc.ChainUnaryInterceptor(counter.unary), grpc.ChainStreamInterceptor(counter.stream))
				src, err := plugins.DialSource(ctx, cp, "memory", adapters.Config{Name: "cal", Options: opts})
				if err != nil {
					t.Fatal(err)
				}
				crm, err := plugins.DialSink(ctx, cp, "memory", adapters.Config{Name: "crm", Options: crmOpts})
				if err != nil {
					t.Fatal(err)
				}
				job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm,
					Sources: []engine.NamedSource{{Name: "cal", Source: src}},
					Window:  engine.WindowAround(time.Now(), 30*24*time.Hour, 30*24*time.Hour), Policy: engine.NewestWins}
				if _, _, err := engine.Sync(ctx, st, job); err != nil {
					t.Fatalf("sync: %v", err)
				}
				for _, a := range []interface{ Close() error }{src, crm} {
					if err := a.Close(); err != nil {
						t.Fatal(err)
					}
				}
				counter.mu.Lock()
				defer counter.mu.Unlock()
				return maps.Clone(counter.calls)
			}
			run() // the first run may differ (nothing stored yet)
			if got := run(); !maps.Equal(got, c.want) {
				t.Errorf("calls of a no-change run = %v, want %v", got, c.want)
			}
		})
	}
}

// infoFailsCalls counts the Info calls plugintest-infofails answered, on
// either side of the in-memory connection (one process).
var infoFailsCalls atomic.Int32

func init() {
	adapters.Register(adapters.Registration{
		Name:        "plugintest-infofails",
		Description: "refuses the credentials in Info, as an IMAP login would",
		NewSource:   func(adapters.Config) (adapters.Source, error) { return infoFailsSource{}, nil },
	})
}

type infoFailsSource struct{}

func (infoFailsSource) Info(context.Context) (adapters.Info, error) {
	n := infoFailsCalls.Add(1)
	return adapters.Info{}, adapters.Errorf(adapters.CodeUnauthorized, "login refused (%d)", n)
}

func (infoFailsSource) Snapshot(context.Context, adapters.SnapshotRequest, func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	return adapters.SnapshotEnd{}, nil
}

func (infoFailsSource) Close() error { return nil }

// TestFailedFirstInfoTravelsWithConfigure: an adapter whose Info fails is
// still configured; the first Info returns that failure, code intact,
// without another call (a second login attempt), and a later Info asks
// the plugin again.
func TestFailedFirstInfoTravelsWithConfigure(t *testing.T) {
	counter := &rpcCounter{calls: map[string]int{}}
	cp := plugins.MustServeInMemoryWith(t, grpc.ChainUnaryInterceptor(counter.unary))
	infoFailsCalls.Store(0)
	src, err := plugins.DialSource(ctxFor(t), cp, "plugintest-infofails", adapters.Config{Name: "x"})
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	for i, want := range []string{"login refused (1)", "login refused (2)"} {
		_, err := src.Info(ctxFor(t))
		if adapters.CodeOf(err) != adapters.CodeUnauthorized || err.Error() != want {
			t.Errorf("Info #%d: %v (code %v), want %q, unauthorized", i+1, err, adapters.CodeOf(err), want)
		}
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if want := map[string]int{"SourceService/Configure": 1, "SourceService/Info": 1}; !maps.Equal(counter.calls, want) {
		t.Errorf("calls = %v, want %v", counter.calls, want)
	}
}
