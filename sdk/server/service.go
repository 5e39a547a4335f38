package server

import (
	"context"
	"errors"

	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// adapter is what both services serve: an adapters.Source or an
// adapters.Sink.
type adapter interface {
	Info(ctx context.Context) (adapters.Info, error)
	Close() error
}

// adapterService is the half that SourceService and SinkService share:
// the instances a process has built and the calls every adapter answers
// alike (Configure, Release, Info). Each service embeds one and adds the
// calls of its own kind, which find their instance with get.
type adapterService[T adapter] struct {
	env       *Env
	build     func(adapter string, cfg adapters.Config) (T, error)
	instances instanceTable[T]
}

// newAdapterService makes the shared half; the process closes its
// instances when it stops serving.
func newAdapterService[T adapter](env *Env, build func(string, adapters.Config) (T, error)) *adapterService[T] {
	s := &adapterService[T]{env: env, build: build}
	env.track(s.instances.closeAll)
	return s
}

// configure builds the adapter the host's Configure asks for as the
// instance the call names. Errors: InvalidConfig (no adapter name, bad
// options) and whatever the constructor returns; FailedPrecondition when
// that instance is configured already.
func (s *adapterService[T]) configure(ctx context.Context, c *pb.AdapterConfig) error {
	name, cfg, err := s.env.config(c)
	if err != nil {
		return wire.CallErrorToWire(err)
	}
	instance := wire.InstanceOf(ctx)
	if s.instances.taken(instance) {
		return errConfiguredTwice
	}
	a, err := s.build(name, cfg)
	if err != nil {
		return wire.CallErrorToWire(err)
	}
	if err := s.instances.add(instance, a); err != nil {
		_ = a.Close() // a concurrent Configure of the same name won
		return err
	}
	announceInstances(ctx, instance)
	return nil
}

// release closes the instance the call names; see instanceTable.release.
func (s *adapterService[T]) release(ctx context.Context) error {
	if err := s.instances.release(ctx); err != nil {
		return wire.CallErrorToWire(err)
	}
	return nil
}

// info asks the named instance for its Info. No capabilities are sent
// anywhere else: the adapter declares them here, once, and the host reads
// them from here only.
func (s *adapterService[T]) info(ctx context.Context) (*pb.Info, error) {
	a, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	info, err := a.Info(ctx)
	if err != nil {
		return nil, wire.CallErrorToWire(err)
	}
	return wire.InfoToWire(info), nil
}

// firstInfo is the answer to the host's first Info that Configure carries
// back (info or infoErr), so that a run costs one call less. It carries
// neither when the call was given up or the error is not the adapter's
// own (a nested gRPC status): such an error would say nothing about a
// later Info, which the host then asks itself.
func (s *adapterService[T]) firstInfo(ctx context.Context) (info *pb.Info, infoErr *pb.Status) {
	a, err := s.instances.get(ctx)
	if err != nil {
		return nil, nil
	}
	got, err := a.Info(ctx)
	if err == nil {
		return wire.InfoToWire(got), nil
	}
	_, isStatus := status.FromError(err)
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		(isStatus && adapters.CodeOf(err) == adapters.CodeUnknown) {
		return nil, nil
	}
	return nil, wire.StatusToWire(err)
}

// get returns the instance a call names. Errors: FailedPrecondition
// before a successful Configure.
func (s *adapterService[T]) get(ctx context.Context) (T, error) {
	return s.instances.get(ctx)
}
