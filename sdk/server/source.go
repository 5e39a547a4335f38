package server

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// sourceServer serves adapters.Sources over SourceService: the unnamed
// instance of a process started per run, or the named instances of a
// pooled process (service.go, instances.go).
type sourceServer struct {
	pb.UnimplementedSourceServiceServer
	*adapterService[adapters.Source]
}

func newSourceServer(env *Env) *sourceServer {
	return &sourceServer{adapterService: newAdapterService(env, env.newSource)}
}

// Configure builds the source the call asks for (see
// adapterService.configure) and answers its first Info with it when the
// host asks.
func (s *sourceServer) Configure(ctx context.Context, req *pb.SourceServiceConfigureRequest) (*pb.SourceServiceConfigureResponse, error) {
	if err := s.configure(ctx, req.GetConfig()); err != nil {
		return nil, err
	}
	var info *pb.Info
	var infoErr *pb.Status
	if req.GetWithInfo() {
		info, infoErr = s.firstInfo(ctx)
	}
	return &pb.SourceServiceConfigureResponse{Info: info, InfoError: infoErr}, nil
}

// Release closes the instance the call names; see instanceTable.release.
func (s *sourceServer) Release(ctx context.Context, _ *pb.SourceServiceReleaseRequest) (*pb.SourceServiceReleaseResponse, error) {
	if err := s.release(ctx); err != nil {
		return nil, err
	}
	return &pb.SourceServiceReleaseResponse{}, nil
}

func (s *sourceServer) Info(ctx context.Context, _ *pb.SourceServiceInfoRequest) (*pb.SourceServiceInfoResponse, error) {
	info, err := s.info(ctx)
	if err != nil {
		return nil, err
	}
	return &pb.SourceServiceInfoResponse{Info: info}, nil
}

// Snapshot streams the adapter's items in batches and always finishes a
// successful listing with the end marker, carrying the count the adapter
// returned (the host compares it with what it received). Items are
// encoded straight to wire bytes (wire.SnapshotEncoder), which the codec
// of NewGRPCServer sends as they are: the one snapshot path of every
// transport.
func (s *sourceServer) Snapshot(req *pb.SnapshotRequest, stream pb.SourceService_SnapshotServer) error {
	src, err := s.get(stream.Context())
	if err != nil {
		return err
	}
	e := wire.NewSnapshotEncoder()
	end, err := src.Snapshot(stream.Context(), wire.SnapshotRequestFromWire(req), func(it adapters.Item) error {
		if e.Add(&it) {
			return stream.SendMsg(e.Take(nil))
		}
		return nil
	})
	if err != nil {
		return wire.CallErrorToWire(err)
	}
	return stream.SendMsg(e.Take(&end))
}

// PutTimes forwards to the adapter's TimeWriter; Unsupported when it has
// none.
func (s *sourceServer) PutTimes(ctx context.Context, req *pb.PutTimesRequest) (*pb.PutTimesResponse, error) {
	src, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	w, ok := src.(adapters.TimeWriter)
	if !ok {
		return nil, wire.CallErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot write times"))
	}
	results, err := w.PutTimes(ctx, wire.TimeChangesFromWire(req.GetChanges()))
	if err != nil {
		return nil, wire.CallErrorToWire(err)
	}
	return &pb.PutTimesResponse{Results: wire.ChangeResultsToWire(results)}, nil
}

// Export forwards to the adapter's Exporter; Unsupported when it has none.
func (s *sourceServer) Export(ctx context.Context, req *pb.ExportRequest) (*pb.ExportResponse, error) {
	src, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	x, ok := src.(adapters.Exporter)
	if !ok {
		return nil, wire.CallErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot export"))
	}
	results, err := x.Export(ctx, wire.ActivitiesFromWire(req.GetActivities()))
	if err != nil {
		return nil, wire.CallErrorToWire(err)
	}
	return &pb.ExportResponse{Results: wire.ExportResultsToWire(results)}, nil
}

// ReadAttachment forwards to the adapter's AttachmentReader; Unsupported
// when it has none.
func (s *sourceServer) ReadAttachment(ctx context.Context, req *pb.ReadAttachmentRequest) (*pb.ReadAttachmentResponse, error) {
	src, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := src.(adapters.AttachmentReader)
	if !ok {
		return nil, wire.CallErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source cannot read attachments"))
	}
	data, err := r.ReadAttachment(ctx, req.GetItemId(), req.GetPart(), req.GetLimit())
	if err != nil {
		return nil, wire.CallErrorToWire(err)
	}
	return &pb.ReadAttachmentResponse{Data: data}, nil
}

// Committed forwards to the adapter's Committer; Unsupported when it has
// none.
func (s *sourceServer) Committed(ctx context.Context, req *pb.CommittedRequest) (*pb.CommittedResponse, error) {
	src, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := src.(adapters.Committer)
	if !ok {
		return nil, wire.CallErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "source does not act on commits"))
	}
	if err := c.Committed(ctx, req.GetCursor()); err != nil {
		return nil, wire.CallErrorToWire(err)
	}
	return &pb.CommittedResponse{}, nil
}

var _ pb.SourceServiceServer = (*sourceServer)(nil)
