package wire

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// What the engine keeps of a decoded item until the run ends (its id, key
// and subject) must not keep the bodies of its batch alive: 40 batches of
// 10 items with 64 KB bodies are 25 MiB of bodies; with only the short
// strings kept, the heap must not hold them.
func TestShortStringsDoNotPinTheBatchBodies(t *testing.T) {
	const batches, perBatch, bodySize = 40, 10, 64 << 10
	raws := make([][]byte, batches)
	for b := range raws {
		msg := &pb.SnapshotResponse{}
		for i := range perBatch {
			it := adapters.Item{ID: fmt.Sprintf("INBOX/%d/%d", b, i), Key: fmt.Sprintf("mid:%d.%d@x", b, i),
				Kind: adapters.KindMessage, Subject: fmt.Sprintf("Offer %d.%d", b, i), Body: strings.Repeat("x", bodySize)}
			msg.Items = append(msg.Items, oracleItemToWire(&it))
		}
		raw, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		raws[b] = raw
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	var kept []string
	for b, raw := range raws {
		var batch SnapshotBatch
		if err := decodeSnapshotResponse(raw, &batch); err != nil {
			t.Fatal(err)
		}
		for _, it := range batch.Items {
			if len(it.Body) != bodySize {
				t.Fatalf("batch %d: body of %d bytes, want %d", b, len(it.Body), bodySize)
			}
			kept = append(kept, it.ID, it.Key, it.Subject)
		}
		raws[b] = nil // the transport's buffer is gone after decoding
	}
	// The encoded batches (as big as the bodies) were on the heap before
	// and are gone now: the heap must have shrunk by most of their size.
	grown := int64(heap()) - int64(before)
	if total := int64(batches * perBatch * bodySize); grown > -total/2 {
		t.Errorf("keeping %d short strings: the heap changed by %d KiB after %d KiB of messages were dropped; the bodies are pinned",
			len(kept), grown>>10, total>>10)
	}
	runtime.KeepAlive(kept)
	if kept[len(kept)-1] != fmt.Sprintf("Offer %d.%d", batches-1, perBatch-1) {
		t.Errorf("last subject = %q", kept[len(kept)-1])
	}
}
