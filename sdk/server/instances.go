package server

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/gwsync/gwsync/sdk/wire"
)

// announceInstances sends wire.InstancesHeader on a named Configure. Errors are
// ignored: without the header the host only falls back to one instance per
// process, which is correct, only slower.
func announceInstances(ctx context.Context, name string) {
	if name != "" {
		_ = grpc.SetHeader(ctx, metadata.Pairs(wire.InstancesHeader, "1"))
	}
}

// closer is what every adapter is.
type closer interface{ Close() error }

// instanceTable holds the adapters one service of a plugin process has
// built, by instance name.
type instanceTable[T closer] struct {
	mu sync.Mutex
	m  map[string]T
}

// add stores a new instance. Errors: errConfiguredTwice when name is taken
// (one instance is configured once for its whole life).
func (t *instanceTable[T]) add(name string, a T) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, taken := t.m[name]; taken {
		return errConfiguredTwice
	}
	if t.m == nil {
		t.m = make(map[string]T)
	}
	t.m[name] = a
	return nil
}

// taken reports whether name is configured already, so Configure can refuse
// before building (a constructor may open files or connections).
func (t *instanceTable[T]) taken(name string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.m[name]
	return ok
}

// get returns the instance a call names. Errors: errNotConfigured.
func (t *instanceTable[T]) get(ctx context.Context) (T, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.m[wire.InstanceOf(ctx)]
	if !ok {
		var zero T
		return zero, errNotConfigured
	}
	return a, nil
}

// release removes the instance a call names and closes it, returning the
// adapter's Close error. An unknown name is not an error: a host retrying
// a Release whose answer it lost must not fail.
func (t *instanceTable[T]) release(ctx context.Context) error {
	name := wire.InstanceOf(ctx)
	t.mu.Lock()
	a, ok := t.m[name]
	delete(t.m, name)
	t.mu.Unlock()
	if !ok {
		return nil
	}
	return a.Close()
}

// closeAll closes every instance (the process stops serving), returning
// the first error; the others are the same kind of failure.
func (t *instanceTable[T]) closeAll() error {
	t.mu.Lock()
	all := t.m
	t.m = nil
	t.mu.Unlock()
	var first error
	for _, a := range all {
		if err := a.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
