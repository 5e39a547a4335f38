package plugins

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// The fast snapshot decoder must read exactly what the generated code
// reads: every field of a fully filled item, and the end marker.
func TestFastDecoderMatchesGeneratedCode(t *testing.T) {
	full := filled[adapters.Item](t)
	sparse := adapters.Item{ID: "m1", Kind: adapters.KindMessage, Subject: "ünïcode ✓"}
	msg := &pb.SnapshotResponse{
		Items: []*pb.Item{itemToWire(&full), itemToWire(&sparse)},
		End:   &pb.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true},
	}
	raw, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var got snapshotBatch
	if err := decodeSnapshotResponse(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.items) != 2 {
		t.Fatalf("decoded %d items, want 2", len(got.items))
	}
	for i, want := range []adapters.Item{full, sparse} {
		for _, d := range changedFields(reflect.ValueOf(want), reflect.ValueOf(got.items[i]), "Item") {
			t.Error(d)
		}
		if generated := itemFromWire(msg.Items[i]); !reflect.DeepEqual(generated, got.items[i]) {
			t.Errorf("item %d: fast decoder and generated code disagree", i)
		}
	}
	if got.end == nil || *got.end != (adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true}) {
		t.Errorf("end = %+v", got.end)
	}
}

func TestFastDecoderSkipsUnknownFieldsAndRejectsGarbage(t *testing.T) {
	it := adapters.Item{ID: "a", Kind: adapters.KindTask}
	raw, _ := proto.Marshal(&pb.SnapshotResponse{Items: []*pb.Item{itemToWire(&it)}})
	// A newer plugin may send fields this host does not know.
	raw = protowire.AppendTag(raw, 99, protowire.BytesType)
	raw = protowire.AppendString(raw, "from the future")
	raw = protowire.AppendTag(raw, 98, protowire.Fixed32Type)
	raw = protowire.AppendFixed32(raw, 7)
	var got snapshotBatch
	if err := decodeSnapshotResponse(raw, &got); err != nil || len(got.items) != 1 || got.items[0].ID != "a" || got.end != nil {
		t.Fatalf("got %+v, %v", got, err)
	}
	if err := decodeSnapshotResponse(raw[:len(raw)-3], &got); err == nil {
		t.Fatal("truncated message decoded without error")
	}
}
