package plugins

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// sourceServer serves adapters.Sources over SourceService: the unnamed
// instance of a process started per run, or the named instances of a
// pooled process (instances.go).
type sourceServer struct {
	pb.UnimplementedSourceServiceServer
	env       *serveEnv
	instances instanceTable[adapters.Source]
}

// newSourceServer makes the service; the process closes its instances
// when it stops serving.
func newSourceServer(env *serveEnv) *sourceServer {
	s := &sourceServer{env: env}
	env.track(s.instances.closeAll)
	return s
}

// Configure builds the requested registered source as the instance the
// call names. Errors: InvalidConfig (unknown adapter, bad options) and
// whatever the constructor returns; FailedPrecondition when that instance
// is configured already.
func (s *sourceServer) Configure(ctx context.Context, req *pb.SourceServiceConfigureRequest) (*pb.SourceServiceConfigureResponse, error) {
	name, cfg, err := s.env.config(req.GetConfig())
	if err != nil {
		return nil, callErrorToWire(err)
	}
	instance := instanceOf(ctx)
	if s.instances.taken(instance) {
		return nil, errConfiguredTwice
	}
	src, err := adapters.NewSource(name, cfg)
	if err != nil {
		return nil, callErrorToWire(err)
	}
	if err := s.instances.add(instance, src); err != nil {
		_ = src.Close() // a concurrent Configure of the same name won
		return nil, err
	}
	announceInstances(ctx, instance)
	// No capabilities here: the adapter declares them in Info, once,
	// and the host reads them from there only.
	return &pb.SourceServiceConfigureResponse{}, nil
}

// Release closes the instance the call names; see instanceTable.release.
func (s *sourceServer) Release(ctx context.Context, _ *pb.SourceServiceReleaseRequest) (*pb.SourceServiceReleaseResponse, error) {
	if err := s.instances.release(ctx); err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.SourceServiceReleaseResponse{}, nil
}

func (s *sourceServer) Info(ctx context.Context, _ *pb.SourceServiceInfoRequest) (*pb.SourceServiceInfoResponse, error) {
	src, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	info, err := src.Info(ctx)
	if err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.SourceServiceInfoResponse{Info: infoToWire(info)}, nil
}

// Snapshot streams the adapter's items in batches and always finishes a
// successful listing with the end marker, carrying the count the adapter
// returned (the host compares it with what it received).
func (s *sourceServer) Snapshot(req *pb.SnapshotRequest, stream pb.SourceService_SnapshotServer) error {
	src, err := s.instances.get(stream.Context())
	if err != nil {
		return err
	}
	if s.env.encodeSnapshots {
		return s.snapshotEncoded(src, req, stream)
	}
	b := newBatcher(func(items []*pb.Item) error {
		return stream.Send(&pb.SnapshotResponse{Items: items})
	})
	end, err := src.Snapshot(stream.Context(), snapshotRequestFromWire(req), func(it adapters.Item) error {
		return b.add(itemToWire(&it), itemWireSize(&it))
	})
	if err != nil {
		return callErrorToWire(err)
	}
	return stream.Send(&pb.SnapshotResponse{Items: b.take(), End: snapshotEndToWire(end)})
}

// snapshotEncoded is Snapshot with the items encoded straight to wire
// bytes (fastencode.go); it needs the server codec of a plugin process.
func (s *sourceServer) snapshotEncoded(src adapters.Source, req *pb.SnapshotRequest, stream pb.SourceService_SnapshotServer) error {
	e := &snapshotEncoder{buf: make([]byte, 0, 256<<10)}
	end, err := src.Snapshot(stream.Context(), snapshotRequestFromWire(req), func(it adapters.Item) error {
		e.appendItem(wireSafeItem(&it))
		if e.n < maxBatchItems && len(e.buf) < maxBatchBytes {
			return nil
		}
		return stream.SendMsg(e.take(nil))
	})
	if err != nil {
		return callErrorToWire(err)
	}
	return stream.SendMsg(e.take(&end))
}

// PutTimes forwards to the adapter's TimeWriter; Unsupported when it has
// none.
func (s *sourceServer) PutTimes(ctx context.Context, req *pb.PutTimesRequest) (*pb.PutTimesResponse, error) {
	src, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	w, ok := src.(adapters.TimeWriter)
	if !ok {
		return nil, callErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot write times"))
	}
	results, err := w.PutTimes(ctx, timeChangesFromWire(req.GetChanges()))
	if err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.PutTimesResponse{Results: changeResultsToWire(results)}, nil
}

// Export forwards to the adapter's Exporter; Unsupported when it has none.
func (s *sourceServer) Export(ctx context.Context, req *pb.ExportRequest) (*pb.ExportResponse, error) {
	src, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	x, ok := src.(adapters.Exporter)
	if !ok {
		return nil, callErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot export"))
	}
	results, err := x.Export(ctx, activitiesFromWire(req.GetActivities()))
	if err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.ExportResponse{Results: exportResultsToWire(results)}, nil
}

// ReadAttachment forwards to the adapter's AttachmentReader; Unsupported
// when it has none.
func (s *sourceServer) ReadAttachment(ctx context.Context, req *pb.ReadAttachmentRequest) (*pb.ReadAttachmentResponse, error) {
	src, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := src.(adapters.AttachmentReader)
	if !ok {
		return nil, callErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot read attachments"))
	}
	data, err := r.ReadAttachment(ctx, req.GetItemId(), req.GetPart(), req.GetLimit())
	if err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.ReadAttachmentResponse{Data: data}, nil
}

// Committed forwards to the adapter's Committer; Unsupported when it has
// none.
func (s *sourceServer) Committed(ctx context.Context, req *pb.CommittedRequest) (*pb.CommittedResponse, error) {
	src, err := s.instances.get(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := src.(adapters.Committer)
	if !ok {
		return nil, callErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source does not act on commits"))
	}
	if err := c.Committed(ctx, req.GetCursor()); err != nil {
		return nil, callErrorToWire(err)
	}
	return &pb.CommittedResponse{}, nil
}

var _ pb.SourceServiceServer = (*sourceServer)(nil)
