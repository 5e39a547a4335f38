package plugins

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/sdk/wire"
)

// ListChanges receives the plugin's change listing as ListActivities
// does. The remote sink is always this Go type, so the call is refused
// with Unsupported, without reaching the plugin, unless Info declared
// ListChanges (asked now when nobody has).
func (s *remoteSink) ListChanges(ctx context.Context, q adapters.ChangeQuery, emit func(adapters.Activity) error) (adapters.ChangeEnd, error) {
	info, err := s.declaredInfo(ctx)
	if err != nil {
		return adapters.ChangeEnd{}, err
	}
	if !info.Capabilities.ListChanges {
		return adapters.ChangeEnd{}, adapters.Errorf(adapters.CodeUnsupported, "sink %s does not declare list_changes", info.Name)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.rpc.ListChanges(s.outgoing(ctx), wire.ChangeQueryToWire(q))
	if err != nil {
		return adapters.ChangeEnd{}, s.callError(ctx, err)
	}
	end, err := receiveActivities(ctx, s, "change listing", stream.Recv, emit)
	if err != nil {
		return adapters.ChangeEnd{}, err
	}
	return adapters.ChangeEnd{Count: end.GetCount(), Cursor: end.GetCursor()}, nil
}

var _ adapters.ChangeLister = (*remoteSink)(nil)
