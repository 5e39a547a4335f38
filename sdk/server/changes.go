package server

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// ListChanges streams a change listing as ListActivities does. A sink
// that is no adapters.ChangeLister answers Unsupported.
func (s *sinkServer) ListChanges(req *pb.ListChangesRequest, stream pb.SinkService_ListChangesServer) error {
	sink, err := s.get(stream.Context())
	if err != nil {
		return err
	}
	lister, ok := sink.(adapters.ChangeLister)
	if !ok {
		return wire.CallErrorToWire(adapters.Errorf(adapters.CodeUnsupported, "this sink keeps no change cursor"))
	}
	b := newBatcher(func(acts []*pb.Activity) error {
		return stream.Send(&pb.ListChangesResponse{Activities: acts})
	})
	end, err := lister.ListChanges(stream.Context(), wire.ChangeQueryFromWire(req), func(a adapters.Activity) error {
		return b.add(wire.ActivityToWire(&a), wire.ActivityWireSize(&a))
	})
	if err != nil {
		return wire.CallErrorToWire(err)
	}
	return stream.Send(&pb.ListChangesResponse{Activities: b.take(), End: &pb.ChangeEnd{Count: end.Count, Cursor: end.Cursor}})
}
