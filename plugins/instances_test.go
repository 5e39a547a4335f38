package plugins

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/memory"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// memoryOptions is a memory store of its own, seeded with one item whose
// subject names the store.
func memoryOptions(store string) []byte {
	return fmt.Appendf(nil, `{"store":%q,"items":[{"id":"only","kind":"event","subject":%q}]}`, store, store)
}

func subjects(t *testing.T, src adapters.Source) []string {
	t.Helper()
	var out []string
	_, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(it adapters.Item) error {
		out = append(out, it.Subject)
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return out
}

// Two named instances in one process answer for their own config, and
// releasing one leaves the other, and the process's unnamed instance of
// hosts before instances, working.
func TestNamedInstancesShareAProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := MustServeInMemory(t)
	defer client.Close()
	clients, err := dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	open := func(instance, store string) *remoteSource {
		r := &remote{name: store, instance: instance, close: func() error { return nil }}
		src, err := configureSource(ctx, clients.source, r, "memory", adapters.Config{Name: store, Options: memoryOptions(store)}, true)
		if err != nil {
			t.Fatalf("configure %s: %v", store, err)
		}
		if r.instances != (instance != "") {
			t.Fatalf("instance %q: announced named instances = %v", instance, r.instances)
		}
		return src
	}
	alice, bob, legacy := open("1", "inst-alice"), open("2", "inst-bob"), open("", "inst-legacy")
	for src, want := range map[adapters.Source]string{alice: "inst-alice", bob: "inst-bob", legacy: "inst-legacy"} {
		if got := subjects(t, src); len(got) != 1 || got[0] != want {
			t.Fatalf("instance of %s sees %q", want, got)
		}
	}

	// A name in use cannot be configured again.
	_, err = clients.source.Configure(wire.WithInstance(ctx, "1"), &pb.SourceServiceConfigureRequest{Config: wire.ConfigToWire("memory", adapters.Config{})})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("second Configure of instance 1: %v, want FailedPrecondition", err)
	}

	if _, err := clients.source.Release(wire.WithInstance(ctx, "1"), &pb.SourceServiceReleaseRequest{}); err != nil {
		t.Fatalf("release: %v", err)
	}
	// (Snapshot, not Info: the first Info is answered from Configure's reply.)
	if _, err := alice.Snapshot(ctx, adapters.SnapshotRequest{}, func(adapters.Item) error { return nil }); err == nil || !strings.Contains(err.Error(), "Configure has not been called") {
		t.Fatalf("a released instance still answers: %v", err)
	}
	if got := subjects(t, bob); len(got) != 1 || got[0] != "inst-bob" {
		t.Fatalf("bob after alice's release sees %q", got)
	}
	if got := subjects(t, legacy); len(got) != 1 || got[0] != "inst-legacy" {
		t.Fatalf("the unnamed instance after a release sees %q", got)
	}
	// Releasing twice (a retry whose answer was lost) is not an error.
	if _, err := clients.source.Release(wire.WithInstance(ctx, "1"), &pb.SourceServiceReleaseRequest{}); err != nil {
		t.Fatalf("second release: %v", err)
	}
	// The name is free again.
	open("1", "inst-carol")
}

// Sinks are kept apart by instance the same way.
func TestNamedSinkInstancesShareAProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := MustServeInMemory(t)
	defer client.Close()
	clients, err := dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	open := func(instance, store string) *remoteSink {
		r := &remote{name: store, instance: instance, close: func() error { return nil }}
		sink, err := configureSink(ctx, clients.sink, r, "memory", adapters.Config{Name: store, Options: []byte(fmt.Sprintf(`{"store":%q}`, store))})
		if err != nil || !r.instances {
			t.Fatalf("configure %s: %v (announced: %v)", store, err, r.instances)
		}
		return sink
	}
	a, b := open("7", "sink-a"), open("8", "sink-b")
	res, err := a.Upsert(ctx, []adapters.Activity{{Key: "k1", Type: adapters.TypeAppointment, Subject: "only in a"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("upsert: %v %+v", err, res)
	}
	count := func(s adapters.Sink) int64 {
		end, err := s.ListActivities(ctx, adapters.ActivityQuery{}, func(adapters.Activity) error { return nil })
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		return end.Count
	}
	if ca, cb := count(a), count(b); ca != 1 || cb != 0 {
		t.Fatalf("a lists %d, b lists %d; want 1 and 0", ca, cb)
	}
	if _, err := clients.sink.Release(wire.WithInstance(ctx, "7"), &pb.SinkServiceReleaseRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Info(ctx); err == nil {
		t.Fatal("a released sink still answers")
	}
	if cb := count(b); cb != 0 {
		t.Fatalf("b lists %d after a's release", cb)
	}
}
