package plugins

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// remoteSource is the host's view of a source in a plugin process. It
// always implements TimeWriter, Exporter, AttachmentReader and Committer
// (one Go type for every plugin);
// Info tells which of them work, and a call to a capability the plugin does
// not have fails with Unsupported without reaching it.
type remoteSource struct {
	*remote
	rpc pb.SourceServiceClient
	// implemented is what the plugin's adapter value implements (from
	// Configure); declared is what its Info said, once asked.
	implemented adapters.Capabilities
	mu          sync.Mutex
	declared    *adapters.Capabilities
}

// configureSource builds the adapter in the plugin. Errors: the adapter's
// constructor errors (InvalidConfig, ...), with their codes.
func configureSource(ctx context.Context, rpc pb.SourceServiceClient, r *remote, adapter string, cfg adapters.Config) (*remoteSource, error) {
	resp, err := rpc.Configure(ctx, &pb.SourceServiceConfigureRequest{Config: configToWire(adapter, cfg)})
	if err != nil {
		return nil, r.callError(ctx, err)
	}
	return &remoteSource{remote: r, rpc: rpc, implemented: capabilitiesFromWire(resp.GetImplemented())}, nil
}

// Info asks the plugin and remembers the capabilities it declares.
func (s *remoteSource) Info(ctx context.Context) (adapters.Info, error) {
	resp, err := s.rpc.Info(ctx, &pb.SourceServiceInfoRequest{})
	if err != nil {
		return adapters.Info{}, s.callError(ctx, err)
	}
	info := infoFromWire(resp.GetInfo())
	s.mu.Lock()
	s.declared = &info.Capabilities
	s.mu.Unlock()
	return info, nil
}

// can reports whether a capability may be used: the adapter implements it
// and, if Info has been asked, declares it.
func (s *remoteSource) can(pick func(adapters.Capabilities) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return pick(s.implemented) && (s.declared == nil || pick(*s.declared))
}

// Snapshot receives the plugin's batches and emits each item. It fails when
// the stream ends without the end marker or with a count different from
// the items received: a short listing must not make items look deleted.
// An error from emit cancels the stream and is returned as is.
func (s *remoteSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.rpc.Snapshot(ctx, snapshotRequestToWire(req), grpc.ForceCodecV2(newSnapshotCodec()))
	if err != nil {
		return adapters.SnapshotEnd{}, s.callError(ctx, err)
	}
	recv := func() (*snapshotBatch, error) {
		var b snapshotBatch
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
		for i := range batch.items {
			if err := emit(batch.items[i]); err != nil {
				return adapters.SnapshotEnd{}, err
			}
			received++
		}
		if end := batch.end; end != nil {
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
	if !s.can(func(c adapters.Capabilities) bool { return c.WriteTimes }) {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source %s cannot write times", s.name)
	}
	resp, err := s.rpc.PutTimes(ctx, &pb.PutTimesRequest{Changes: timeChangesToWire(changes)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(changes), changeResultsFromWire(resp.GetResults()))
}

// Export creates calendar items through the plugin. Errors: Unsupported
// when the source cannot export; per-item codes in the results.
func (s *remoteSource) Export(ctx context.Context, activities []adapters.Activity) ([]adapters.ExportResult, error) {
	if !s.can(func(c adapters.Capabilities) bool { return c.Export }) {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source %s cannot export", s.name)
	}
	resp, err := s.rpc.Export(ctx, &pb.ExportRequest{Activities: activitiesToWire(activities)})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resultsInOrder(len(activities), exportResultsFromWire(resp.GetResults()))
}

// ReadAttachment fetches one attachment's content through the plugin.
// Errors: Unsupported when the source cannot read attachments; otherwise
// the adapter's (NotFound, InvalidItem, Temporary) with their codes.
func (s *remoteSource) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	if !s.can(func(c adapters.Capabilities) bool { return c.ReadAttachments }) {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source %s cannot read attachments", s.name)
	}
	resp, err := s.rpc.ReadAttachment(ctx, &pb.ReadAttachmentRequest{ItemId: itemID, Part: part, Limit: limit})
	if err != nil {
		return nil, s.callError(ctx, err)
	}
	return resp.GetData(), nil
}

// Committed tells the plugin that the host stored cursor. Errors:
// Unsupported when the source does not act on commits; otherwise the
// adapter's, with their codes.
func (s *remoteSource) Committed(ctx context.Context, cursor string) error {
	if !s.can(func(c adapters.Capabilities) bool { return c.Committed }) {
		return adapters.Errorf(adapters.CodeUnsupported, "source %s does not act on commits", s.name)
	}
	if _, err := s.rpc.Committed(ctx, &pb.CommittedRequest{Cursor: cursor}); err != nil {
		return s.callError(ctx, err)
	}
	return nil
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
