package plugins

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"

	"github.com/gwsync/gwsync/adapters"
)

func TestWatchParentFiresWhenParentChanges(t *testing.T) {
	var ppid atomic.Int64
	ppid.Store(100)
	fired := make(chan struct{})
	go watchParent(context.Background(), time.Millisecond, func() int { return int(ppid.Load()) }, func() { close(fired) })

	select {
	case <-fired:
		t.Fatal("fired while the parent was alive")
	case <-time.After(20 * time.Millisecond):
	}
	ppid.Store(1) // re-parented to init: the host died
	select {
	case <-fired:
	case <-time.After(2 * time.Second):
		t.Fatal("did not fire after the parent changed")
	}
}

func TestWatchParentStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		watchParent(ctx, time.Millisecond, func() int { return 1 }, func() { t.Error("fired") })
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("watchParent did not return after cancel")
	}
}

func TestBuiltinProcessServesOnlyItsAdapter(t *testing.T) {
	env := newServeEnv("files", nil)
	_, _, err := env.config(&pb.AdapterConfig{Adapter: "memory"})
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("got %v, want InvalidConfig", err)
	}
	name, cfg, err := env.config(&pb.AdapterConfig{Adapter: "files", InstanceName: "work", OptionsJson: []byte(`{"dir":"x"}`), TimeZone: "Europe/Berlin"})
	if err != nil || name != "files" || cfg.Name != "work" || string(cfg.Options) != `{"dir":"x"}` || cfg.TimeZone != "Europe/Berlin" || cfg.Logger == nil {
		t.Fatalf("got %q %+v %v", name, cfg, err)
	}
}

func TestServeBuiltinRefusesUnknownAdapter(t *testing.T) {
	err := ServeBuiltin("no-such-adapter")
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("got %v, want InvalidConfig", err)
	}
}
