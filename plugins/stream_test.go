package plugins

import (
	"context"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// brokenSource is a plugin that gets the stream protocol wrong in the ways
// a buggy or dying plugin would.
type brokenSource struct {
	pb.UnimplementedSourceServiceServer
	batches [][]*pb.Item
	end     *pb.SnapshotEnd
	extra   bool // send another message after the end
}

func (b *brokenSource) Snapshot(_ *pb.SnapshotRequest, stream pb.SourceService_SnapshotServer) error {
	for _, batch := range b.batches {
		if err := stream.Send(&pb.SnapshotResponse{Items: batch}); err != nil {
			return err
		}
	}
	if b.end != nil {
		if err := stream.Send(&pb.SnapshotResponse{End: b.end}); err != nil {
			return err
		}
	}
	if b.extra {
		return stream.Send(&pb.SnapshotResponse{Items: []*pb.Item{{Id: "late"}}})
	}
	return nil
}

type brokenSink struct {
	pb.UnimplementedSinkServiceServer
	acts []*pb.Activity
	end  *pb.ListEnd
}

func (b *brokenSink) ListActivities(_ *pb.ListActivitiesRequest, stream pb.SinkService_ListActivitiesServer) error {
	return stream.Send(&pb.ListActivitiesResponse{Activities: b.acts, End: b.end})
}

func bufConn(t *testing.T, register func(*grpc.Server)) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func snapshotFrom(t *testing.T, srv *brokenSource) (int, error) {
	t.Helper()
	conn := bufConn(t, func(s *grpc.Server) { pb.RegisterSourceServiceServer(s, srv) })
	src := &remoteSource{remote: &remote{name: "broken"}, rpc: pb.NewSourceServiceClient(conn)}
	n := 0
	_, err := src.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(adapters.Item) error { n++; return nil })
	return n, err
}

func items(n int) []*pb.Item {
	out := make([]*pb.Item, n)
	for i := range out {
		out[i] = &pb.Item{Id: "i", Kind: "event"}
	}
	return out
}

func TestSnapshotWithoutEndMarkerFails(t *testing.T) {
	n, err := snapshotFrom(t, &brokenSource{batches: [][]*pb.Item{items(3)}})
	if err == nil || !strings.Contains(err.Error(), "without its end marker after 3 items") {
		t.Fatalf("got %v after %d items, want a missing end marker error", err, n)
	}
}

func TestSnapshotWithWrongCountFails(t *testing.T) {
	_, err := snapshotFrom(t, &brokenSource{batches: [][]*pb.Item{items(2), items(2)}, end: &pb.SnapshotEnd{Count: 5, Complete: true}})
	if err == nil || !strings.Contains(err.Error(), "end says 5 items, 4 arrived") {
		t.Fatalf("got %v, want a count mismatch", err)
	}
}

func TestSnapshotWithDataAfterEndFails(t *testing.T) {
	_, err := snapshotFrom(t, &brokenSource{batches: [][]*pb.Item{items(1)}, end: &pb.SnapshotEnd{Count: 1}, extra: true})
	if err == nil || !strings.Contains(err.Error(), "after the end marker") {
		t.Fatalf("got %v, want data after the end to fail", err)
	}
}

func TestSnapshotWithEndMarkerSucceeds(t *testing.T) {
	n, err := snapshotFrom(t, &brokenSource{batches: [][]*pb.Item{items(2), items(3)}, end: &pb.SnapshotEnd{Count: 5, Cursor: "c1", Complete: true}})
	if err != nil || n != 5 {
		t.Fatalf("got %d items, %v", n, err)
	}
}

func TestActivityListingWithoutEndOrWithWrongCountFails(t *testing.T) {
	for name, srv := range map[string]*brokenSink{
		"no end":      {acts: []*pb.Activity{{Id: "a"}}},
		"wrong count": {acts: []*pb.Activity{{Id: "a"}}, end: &pb.ListEnd{Count: 2}},
	} {
		conn := bufConn(t, func(s *grpc.Server) { pb.RegisterSinkServiceServer(s, srv) })
		sink := &remoteSink{remote: &remote{name: "broken"}, rpc: pb.NewSinkServiceClient(conn)}
		_, err := sink.ListActivities(context.Background(), adapters.ActivityQuery{}, func(adapters.Activity) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "listing is incomplete") {
			t.Errorf("%s: got %v, want an incomplete listing error", name, err)
		}
	}
}
