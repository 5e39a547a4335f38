package plugins

import (
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// The fast encoder must write what the generated code reads back as the
// same items: every field of a fully filled item, zero values, the end.
func TestFastEncoderMatchesGeneratedCode(t *testing.T) {
	full := filled[adapters.Item](t)
	sparse := adapters.Item{ID: "m1", Kind: adapters.KindMessage, Subject: "ünïcode ✓"}
	var e snapshotEncoder
	e.appendItem(&full)
	e.appendItem(&sparse)
	enc := e.take(&adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true})
	if e.n != 0 || len(e.buf) != 0 {
		t.Fatal("take did not start a new batch")
	}

	var msg pb.SnapshotResponse
	if err := proto.Unmarshal(enc.raw, &msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.Items) != 2 {
		t.Fatalf("%d items, want 2", len(msg.Items))
	}
	for i, want := range []adapters.Item{full, sparse} {
		for _, d := range changedFields(reflect.ValueOf(want), reflect.ValueOf(itemFromWire(msg.Items[i])), "Item") {
			t.Error(d)
		}
	}
	if got := snapshotEndFromWire(msg.End); got != (adapters.SnapshotEnd{Count: 2, Cursor: "cur-7", Complete: true}) {
		t.Errorf("end = %+v", got)
	}
	// Same bytes as the generated code, field for field.
	generated, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&pb.SnapshotResponse{
		Items: []*pb.Item{itemToWire(&full), itemToWire(&sparse)}, End: msg.End})
	if string(generated) != string(enc.raw) {
		t.Error("fast encoder bytes differ from the generated code's")
	}
}

func TestInvalidUTF8IsRepairedWithAWarning(t *testing.T) {
	good := &adapters.Item{ID: "ok", Subject: "fine"}
	if wireSafeItem(good) != good {
		t.Fatal("a valid item was copied")
	}
	bad := &adapters.Item{ID: "mail-1", Subject: "Gr\xfc\xdfe", To: []string{"a@example.com", "b\xff@example.com"}, Warnings: []string{"earlier"}}
	fixed := wireSafeItem(bad)
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
	if _, err := proto.Marshal(itemToWire(bad)); err != nil {
		t.Fatalf("repaired item does not marshal: %v", err)
	}
	act := &adapters.Activity{Subject: "\xff", Owners: []string{"x\xfe"}}
	if a := wireSafeActivity(act); a.Subject != "\uFFFD" || a.Owners[0] != "x\uFFFD" || act.Subject != "\xff" {
		t.Fatalf("activity repair %+v", a)
	}
}
