package plugins

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// remoteSource is the host's view of a source in a plugin process. It
// always implements TimeWriter, Exporter, AttachmentReader and Committer
// (one Go type for every plugin), so its Go type says nothing: what the
// plugin's Info declared over the wire is the only truth about which of
// them work. A call to a capability the plugin did not declare fails with
// Unsupported without reaching it.
type remoteSource struct {
	*remote
	rpc pb.SourceServiceClient

	mu       sync.Mutex
	declared *adapters.Capabilities // what Info last said; nil until asked
	// first is the answer to the first Info call, which Configure carried
	// back; nil once taken, or when the plugin (an older SDK) sent none.
	first *pb.SourceServiceConfigureResponse
}

// configureSource builds the adapter in the plugin. Errors: the adapter's
// constructor errors (InvalidConfig, ...), with their codes.
// withInfo asks for the first Info in the reply (see Launch.NoFirstInfo).
func configureSource(ctx context.Context, rpc pb.SourceServiceClient, r *remote, adapter string, cfg adapters.Config, withInfo bool) (*remoteSource, error) {
	// The response's `implemented` is not read: it would be the server's
	// guess from the adapter's Go type, not its declaration. Its Info is
	// the declaration, kept for the first Info call.
	var header metadata.MD
	resp, err := rpc.Configure(r.outgoing(ctx), &pb.SourceServiceConfigureRequest{Config: wire.ConfigToWire(adapter, cfg), WithInfo: withInfo}, grpc.Header(&header))
	if err != nil {
		return nil, r.callError(ctx, err)
	}
	r.sawInstances(header)
	s := &remoteSource{remote: r, rpc: rpc}
	if resp.GetInfo() != nil || resp.GetInfoError() != nil {
		s.first = resp
	}
	return s, nil
}

// Info answers the first call with what Configure carried back, later
// ones (and every one of an older plugin) by asking the plugin, and
// remembers the capabilities it declares.
func (s *remoteSource) Info(ctx context.Context) (adapters.Info, error) {
	s.mu.Lock()
	first := s.first
	s.first = nil
	s.mu.Unlock()
	var wireInfo *pb.Info
	if first != nil {
		if err := first.GetInfoError(); err != nil {
			return adapters.Info{}, wire.StatusFromWire(err)
		}
		wireInfo = first.GetInfo()
	} else {
		resp, err := s.rpc.Info(s.outgoing(ctx), &pb.SourceServiceInfoRequest{})
		if err != nil {
			return adapters.Info{}, s.callError(ctx, err)
		}
		wireInfo = resp.GetInfo()
	}
	info := wire.InfoFromWire(wireInfo)
	s.mu.Lock()
	s.declared = &info.Capabilities
	s.mu.Unlock()
	return info, nil
}

// can reports whether the plugin declared a capability. When nobody has
// asked Info yet, it asks now rather than guess. Errors: Info's.
func (s *remoteSource) can(ctx context.Context, pick func(adapters.Capabilities) bool) (bool, error) {
	s.mu.Lock()
	declared := s.declared
	s.mu.Unlock()
	if declared == nil {
		info, err := s.Info(ctx)
		if err != nil {
			return false, err
		}
		declared = &info.Capabilities
	}
	return pick(*declared), nil
}

// Snapshot receives the plugin's batches and emits each item. It fails when
// the stream ends without the end marker or with a count different from
// the items received: a short listing must not make items look deleted.
// An error from emit cancels the stream and is returned as is.
func (s *remoteSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.rpc.Snapshot(s.outgoing(ctx), wire.SnapshotRequestToWire(req), grpc.ForceCodecV2(wire.NewSnapshotCodec()))
	if err != nil {
		return adapters.SnapshotEnd{}, s.callError(ctx, err)
	}
	recv := func() (*wire.SnapshotBatch, error) {
		var b wire.SnapshotBatch
		return &b, stream.RecvMsg(&b)
	}
	var received int64
	for {
		batch, err := recv()
		if errors.Is(err, io.EOF) {
			return adapters.SnapshotEnd{}, s.incomplete("snapshot ended without its end marker after %d items", received)
		}
		if err != nil {
			return adapters.SnapshotEnd{}, s.callError(ctx, err)
		}
		for i := range batch.Items {
			if err := emit(batch.Items[i]); err != nil {
				return adapters.SnapshotEnd{}, err
			}
			received++
		}
		if end := batch.End; end != nil {
			if end.Count != received {
				return adapters.SnapshotEnd{}, s.incomplete("snapshot end says %d items, %d arrived", end.Count, received)
			}
			if err := expectStreamEnd(recv); err != nil {
				return adapters.SnapshotEnd{}, s.callError(ctx, err)
			}
			return *end, nil
		}
	}
}

// PutTimes writes rasters back through the plugin. Errors: Unsupported
// when the source cannot write times; per-item codes in the results.
func (s *remoteSource) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	if ok, err := s.can(ctx, func(c adapters.Capabilities) bool { return c.WriteTimes }); err != nil || !ok {
		return nil, unsupported(err, "source %s cannot write times", s.name)
	}
	resp, err := s.rpc.PutTimes(s.outgoing(ctx), &pb.PutTimesRequest{Changes: wire.TimeChangesToWire(changes)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(changes), wire.ChangeResultsFromWire(resp.GetResults()))
}

// Export creates calendar items through the plugin. Errors: Unsupported
// when the source cannot export; per-item codes in the results.
func (s *remoteSource) Export(ctx context.Context, activities []adapters.Activity) ([]adapters.ExportResult, error) {
	if ok, err := s.can(ctx, func(c adapters.Capabilities) bool { return c.Export }); err != nil || !ok {
		return nil, unsupported(err, "source %s cannot export", s.name)
	}
	resp, err := s.rpc.Export(s.outgoing(ctx), &pb.ExportRequest{Activities: wire.ActivitiesToWire(activities)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(activities), wire.ExportResultsFromWire(resp.GetResults()))
}

// ReadAttachment fetches one attachment's content through the plugin.
// Errors: Unsupported when the source cannot read attachments; otherwise
// the adapter's (NotFound, InvalidItem, Temporary) with their codes.
func (s *remoteSource) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	if ok, err := s.can(ctx, func(c adapters.Capabilities) bool { return c.ReadAttachments }); err != nil || !ok {
		return nil, unsupported(err, "source %s cannot read attachments", s.name)
	}
	resp, err := s.rpc.ReadAttachment(s.outgoing(ctx), &pb.ReadAttachmentRequest{ItemId: itemID, Part: part, Limit: limit})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resp.GetData(), nil
}

// Committed tells the plugin that the host stored cursor. Errors:
// Unsupported when the source does not act on commits; otherwise the
// adapter's, with their codes.
func (s *remoteSource) Committed(ctx context.Context, cursor string) error {
	if ok, err := s.can(ctx, func(c adapters.Capabilities) bool { return c.Committed }); err != nil || !ok {
		return unsupported(err, "source %s does not act on commits", s.name)
	}
	if _, err := s.rpc.Committed(s.outgoing(ctx), &pb.CommittedRequest{Cursor: cursor}); err != nil {
		return s.callError(ctx, err)
	}
	return nil
}

// unsupported is err when asking for the capabilities failed, else an
// Unsupported error with the message.
func unsupported(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return adapters.Errorf(adapters.CodeUnsupported, format, args...)
}

// expectStreamEnd reads past the end marker: the stream must now close
// cleanly. Anything else (another message, a late error) is a broken
// listing even though the count matched.
func expectStreamEnd[T any](recv func() (T, error)) error {
	_, err := recv()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return adapters.Errorf(adapters.CodeUnknown, "plugin sent data after the end marker")
}

// resultsInOrder checks the one-result-per-request rule of batch calls, so
// a plugin bug cannot shift results onto the wrong items.
func resultsInOrder[T any](want int, results []T) ([]T, error) {
	if len(results) != want {
		return nil, adapters.Errorf(adapters.CodeUnknown, "plugin returned %d results for %d requests", len(results), want)
	}
	return results, nil
}

var (
	_ adapters.Source     = (*remoteSource)(nil)
	_ adapters.TimeWriter = (*remoteSource)(nil)
	_ adapters.Exporter   = (*remoteSource)(nil)

	_ adapters.AttachmentReader = (*remoteSource)(nil)
	_ adapters.Committer        = (*remoteSource)(nil)
)
