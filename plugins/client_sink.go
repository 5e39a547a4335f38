package plugins

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// remoteSink is the host's view of a CRM sink in a plugin process.
type remoteSink struct {
	*remote
	rpc pb.SinkServiceClient

	mu       sync.Mutex
	declared *adapters.Info // what Info last said; nil until asked
}

// configureSink builds the adapter in the plugin. Errors: the adapter's
// constructor errors, with their codes.
func configureSink(ctx context.Context, rpc pb.SinkServiceClient, r *remote, adapter string, cfg adapters.Config) (*remoteSink, error) {
	var header metadata.MD
	if _, err := rpc.Configure(r.outgoing(ctx), &pb.SinkServiceConfigureRequest{Config: wire.ConfigToWire(adapter, cfg)}, grpc.Header(&header)); err != nil {
		return nil, r.callError(ctx, err)
	}
	r.sawInstances(header)
	return &remoteSink{remote: r, rpc: rpc}, nil
}

// Info asks the plugin and remembers what it declares.
func (s *remoteSink) Info(ctx context.Context) (adapters.Info, error) {
	resp, err := s.rpc.Info(s.outgoing(ctx), &pb.SinkServiceInfoRequest{})
	if err != nil {
		return adapters.Info{}, s.callError(ctx, err)
	}
	info := wire.InfoFromWire(resp.GetInfo())
	s.mu.Lock()
	s.declared = &info
	s.mu.Unlock()
	return info, nil
}

// declaredInfo is what Info last said, asked now when nobody has: the
// engine asks Info before it lists changes, and asking again would cost
// a call per run (remoteSource.can likewise).
func (s *remoteSink) declaredInfo(ctx context.Context) (adapters.Info, error) {
	s.mu.Lock()
	declared := s.declared
	s.mu.Unlock()
	if declared != nil {
		return *declared, nil
	}
	return s.Info(ctx)
}

// ListActivities receives the plugin's batches and emits each activity,
// failing on a missing end marker or a wrong count (see
// remoteSource.Snapshot).
func (s *remoteSink) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.rpc.ListActivities(s.outgoing(ctx), wire.ActivityQueryToWire(q))
	if err != nil {
		return adapters.ListEnd{}, s.callError(ctx, err)
	}
	end, err := receiveActivities(ctx, s, "activity listing", stream.Recv, emit)
	if err != nil {
		return adapters.ListEnd{}, err
	}
	return adapters.ListEnd{Count: end.GetCount()}, nil
}

func (s *remoteSink) Upsert(ctx context.Context, activities []adapters.Activity) ([]adapters.UpsertResult, error) {
	resp, err := s.rpc.Upsert(s.outgoing(ctx), &pb.UpsertRequest{Activities: wire.ActivitiesToWire(activities)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(activities), wire.UpsertResultsFromWire(resp.GetResults()))
}

func (s *remoteSink) UpdateTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	resp, err := s.rpc.UpdateTimes(s.outgoing(ctx), &pb.UpdateTimesRequest{Changes: wire.TimeChangesToWire(changes)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(changes), wire.ChangeResultsFromWire(resp.GetResults()))
}

var _ adapters.Sink = (*remoteSink)(nil)
