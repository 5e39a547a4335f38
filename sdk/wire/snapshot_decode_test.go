package wire

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// The snapshot decoder must read exactly what the generated code
// reads: every field of a fully filled item, and the end marker.
func TestSnapshotDecoderMatchesGeneratedCode(t *testing.T) {
	full := filled[adapters.Item](t)
	sparse := adapters.Item{ID: "m1", Kind: adapters.KindMessage, Subject: "ünïcode ✓"}
	msg := &pb.SnapshotResponse{
		Items: []*pb.Item{oracleItemToWire(&full), oracleItemToWire(&sparse)},
		End:   &pb.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true},
	}
	raw, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var got SnapshotBatch
	if err := decodeSnapshotResponse(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 {
		t.Fatalf("decoded %d items, want 2", len(got.Items))
	}
	for i, want := range []adapters.Item{full, sparse} {
		for _, d := range changedFields(reflect.ValueOf(want), reflect.ValueOf(got.Items[i]), "Item") {
			t.Error(d)
		}
		if generated := oracleItemFromWire(msg.Items[i]); !reflect.DeepEqual(generated, got.Items[i]) {
			t.Errorf("item %d: decoder and generated code disagree", i)
		}
	}
	if got.End == nil || *got.End != (adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true}) {
		t.Errorf("end = %+v", got.End)
	}
}

func TestSnapshotDecoderSkipsUnknownFieldsAndRejectsGarbage(t *testing.T) {
	it := adapters.Item{ID: "a", Kind: adapters.KindTask}
	raw, _ := proto.Marshal(&pb.SnapshotResponse{Items: []*pb.Item{oracleItemToWire(&it)}})
	// A newer plugin may send fields this host does not know.
	raw = protowire.AppendTag(raw, 99, protowire.BytesType)
	raw = protowire.AppendString(raw, "from the future")
	raw = protowire.AppendTag(raw, 98, protowire.Fixed32Type)
	raw = protowire.AppendFixed32(raw, 7)
	var got SnapshotBatch
	if err := decodeSnapshotResponse(raw, &got); err != nil || len(got.Items) != 1 || got.Items[0].ID != "a" || got.End != nil {
		t.Fatalf("got %+v, %v", got, err)
	}
	if err := decodeSnapshotResponse(raw[:len(raw)-3], &got); err == nil {
		t.Fatal("truncated message decoded without error")
	}
}
