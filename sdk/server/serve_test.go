package server

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
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

func TestConfigureHandsTheAdapterEverythingTheHostSent(t *testing.T) {
	env := NewEnv(Options{})
	name, cfg, err := env.config(&pb.AdapterConfig{Adapter: "files", InstanceName: "work", OptionsJson: []byte(`{"dir":"x"}`), TimeZone: "Europe/Berlin"})
	if err != nil || name != "files" || cfg.Name != "work" || string(cfg.Options) != `{"dir":"x"}` || cfg.TimeZone != "Europe/Berlin" || cfg.Logger == nil {
		t.Fatalf("got %q %+v %v", name, cfg, err)
	}
	if _, _, err := env.config(&pb.AdapterConfig{}); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("no adapter name: got %v, want InvalidConfig", err)
	}
}

func TestASinkOnlyProcessRefusesASourceAndViceVersa(t *testing.T) {
	sinkOnly := NewEnv(Options{NewSink: func(string, adapters.Config) (adapters.Sink, error) { return nil, nil }})
	if _, err := sinkOnly.newSource("mycrm", adapters.Config{}); adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "serves a sink, not a source") {
		t.Fatalf("source from a sink plugin: got %v", err)
	}
	sourceOnly := NewEnv(Options{NewSource: func(string, adapters.Config) (adapters.Source, error) { return nil, nil }})
	if _, err := sourceOnly.newSink("mycal", adapters.Config{}); adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "serves a source, not a sink") {
		t.Fatalf("sink from a source plugin: got %v", err)
	}
}
