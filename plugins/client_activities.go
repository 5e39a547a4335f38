package plugins

import (
	"context"
	"errors"
	"io"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// activityMessage is one message of a sink's activity stream
// (ListActivities, ListChanges): a batch, and in the last one the end
// marker E.
type activityMessage[E streamEnd] interface {
	GetActivities() []*pb.Activity
	GetEnd() E
}

// streamEnd is an end marker: how many activities the plugin sent.
type streamEnd interface {
	comparable
	GetCount() int64
}

// receiveActivities emits every activity of a listing stream and returns
// its end marker, failing on a missing end marker, a wrong count or data
// after the end (see remoteSource.Snapshot). what names the listing in
// those errors ("activity listing").
func receiveActivities[M activityMessage[E], E streamEnd](ctx context.Context, s *remoteSink, what string, recv func() (M, error), emit func(adapters.Activity) error) (E, error) {
	var none E
	var received int64
	for {
		msg, err := recv()
		if errors.Is(err, io.EOF) {
			return none, s.incomplete("%s ended without its end marker after %d activities", what, received)
		}
		if err != nil {
			return none, s.callError(ctx, err)
		}
		for _, p := range msg.GetActivities() {
			if err := emit(wire.ActivityFromWire(p)); err != nil {
				return none, err
			}
			received++
		}
		if end := msg.GetEnd(); end != none {
			if end.GetCount() != received {
				return none, s.incomplete("%s end says %d activities, %d arrived", what, end.GetCount(), received)
			}
			if err := expectStreamEnd(recv); err != nil {
				return none, s.callError(ctx, err)
			}
			return end, nil
		}
	}
}
