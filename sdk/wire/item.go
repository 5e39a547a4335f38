package wire

import (
	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// Message Item has one encoder (appendItemFields, which snapshots use) and
// one decoder (wireDecoder.item, which the host's snapshot codec uses). The
// generated *pb.Item that an ExportResult carries is made from those
// bytes: exports are few, and a second hand-written copy of the mapping
// would be one more place for a new field to be forgotten.

// ItemToWire converts an item for an ExportResult (invalid UTF-8 repaired,
// see SafeItem).
func ItemToWire(it *adapters.Item) *pb.Item {
	var nested nestedScratch
	raw := appendItemFields(nil, &nested, SafeItem(it))
	out := &pb.Item{}
	if err := proto.Unmarshal(raw, out); err != nil {
		// The encoder wrote these bytes itself; failing to read them is
		// a bug here, not bad input.
		panic("wire: Item encoder wrote bytes the generated code rejects: " + err.Error())
	}
	return out
}

// ItemFromWire converts a received item (of an ExportResult). A message
// that gRPC accepted always encodes again; should it not, the item says
// why in Unreadable rather than arriving silently empty.
func ItemFromWire(p *pb.Item) adapters.Item {
	var it adapters.Item
	if p == nil {
		return it
	}
	raw, err := proto.Marshal(p)
	if err == nil {
		err = newWireDecoder(raw).item(raw, &it)
	}
	if err != nil {
		it.Unreadable = "decoding the exported item: " + err.Error()
	}
	return it
}
