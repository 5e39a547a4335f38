package wire

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// The snapshot encoder must write what the generated code reads back as the
// same items: every field of a fully filled item, zero values, the end.
func TestSnapshotEncoderMatchesGeneratedCode(t *testing.T) {
	full := filled[adapters.Item](t)
	sparse := adapters.Item{ID: "m1", Kind: adapters.KindMessage, Subject: "ünïcode ✓"}
	e := NewSnapshotEncoder()
	if e.Add(&full) || e.Add(&sparse) {
		t.Fatal("two items filled a batch")
	}
	enc := e.Take(&adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true})
	if e.n != 0 || len(e.buf) != 0 {
		t.Fatal("Take did not start a new batch")
	}

	var msg pb.SnapshotResponse
	if err := proto.Unmarshal(enc.raw, &msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.Items) != 2 {
		t.Fatalf("%d items, want 2", len(msg.Items))
	}
	for i, want := range []adapters.Item{full, sparse} {
		for _, d := range changedFields(reflect.ValueOf(want), reflect.ValueOf(oracleItemFromWire(msg.Items[i])), "Item") {
			t.Error(d)
		}
	}
	if got := SnapshotEndFromWire(msg.End); got != (adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true}) {
		t.Errorf("end = %+v", got)
	}
	// Same bytes as the generated code, field for field.
	generated, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&pb.SnapshotResponse{
		Items: []*pb.Item{oracleItemToWire(&full), oracleItemToWire(&sparse)}, End: msg.End})
	if string(generated) != string(enc.raw) {
		t.Error("encoder bytes differ from the generated code's")
	}
}

func TestInvalidUTF8IsRepairedWithAWarning(t *testing.T) {
	good := &adapters.Item{ID: "ok", Subject: "fine"}
	if SafeItem(good) != good {
		t.Fatal("a valid item was copied")
	}
	bad := &adapters.Item{ID: "mail-1", Subject: "Gr\xfc\xdfe", To: []string{"a@example.com", "b\xff@example.com"}, Warnings: []string{"earlier"}}
	fixed := SafeItem(bad)
	if fixed.Subject != "Gr\uFFFDe" || fixed.To[1] != "b\uFFFD@example.com" || fixed.To[0] != "a@example.com" {
		t.Fatalf("repaired %q %q", fixed.Subject, fixed.To)
	}
	if len(fixed.Warnings) != 2 || !strings.Contains(fixed.Warnings[1], "subject, to") {
		t.Fatalf("warnings %q", fixed.Warnings)
	}
	if bad.Subject != "Gr\xfc\xdfe" || bad.To[1] != "b\xff@example.com" || len(bad.Warnings) != 1 {
		t.Fatal("the adapter's item was modified")
	}
	// The generated code would refuse the unrepaired item.
	if _, err := proto.Marshal(&pb.Item{Subject: bad.Subject}); err == nil {
		t.Skip("protobuf accepts invalid UTF-8 now; repair is still harmless")
	}
	if _, err := proto.Marshal(ItemToWire(bad)); err != nil { // panics if the encoder did not repair
		t.Fatalf("repaired item does not marshal: %v", err)
	}
	act := &adapters.Activity{Subject: "\xff", Owners: []string{"x\xfe"}}
	if a := SafeActivity(act); a.Subject != "\uFFFD" || a.Owners[0] != "x\uFFFD" || act.Subject != "\xff" {
		t.Fatalf("activity repair %+v", a)
	}
}

func TestABatchIsFullAtTheItemOrByteBound(t *testing.T) {
	e := NewSnapshotEncoder()
	small := adapters.Item{ID: "x"}
	for i := 1; i < MaxBatchItems; i++ {
		if e.Add(&small) {
			t.Fatalf("full after %d small items", i)
		}
	}
	if !e.Add(&small) {
		t.Fatalf("not full after %d items", MaxBatchItems)
	}
	e.Take(nil)
	big := adapters.Item{ID: "big", Body: strings.Repeat("b", MaxBatchBytes)}
	if !e.Add(&big) {
		t.Fatal("one item of MaxBatchBytes did not fill a batch")
	}
}

// TestSnapshotEncoderSmallListingAllocatesLittle: a no-change snapshot (the
// end marker only) and one of a few items allocate about their size, not a
// batch's buffer (it was 256 KiB at the start and again per Take: 512 KiB
// per Snapshot call of every user's no-change cycle).
func TestSnapshotEncoderSmallListingAllocatesLittle(t *testing.T) {
	it := adapters.Item{ID: "Import Folder/1/1", Key: "mid:a@x", Kind: adapters.KindMessage, Subject: "S"}
	for _, n := range []int{0, 3} {
		const runs = 50
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			e := NewSnapshotEncoder()
			for range n {
				e.Add(&it)
			}
			e.Take(&adapters.SnapshotEnd{Count: int64(n), Cursor: `{"v":1}`})
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 4<<10 {
			t.Errorf("%d items: %d bytes allocated per listing, want under 4 KiB", n, per)
		}
	}
}
