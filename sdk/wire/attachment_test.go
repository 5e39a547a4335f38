package wire

import (
	"bytes"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// An attachment with a broken name or part must cross with its strings
// repaired and everything else kept: a lost Data or Stored would make the
// CRM drop or fetch again the content of a real mail.
func TestBrokenAttachmentStringsAreRepairedAndTheRestKept(t *testing.T) {
	broken := adapters.Attachment{Name: "Gr\xfc\xdfe.pdf", Type: "application/pdf", Size: 42, Part: "2\xff", Data: []byte("%PDF"), Stored: true}
	want := adapters.Attachment{Name: "Gr\uFFFDe.pdf", Type: "application/pdf", Size: 42, Part: "2\uFFFD", Data: []byte("%PDF"), Stored: true}
	same := func(got adapters.Attachment) bool {
		return got.Name == want.Name && got.Type == want.Type && got.Size == want.Size &&
			got.Part == want.Part && bytes.Equal(got.Data, want.Data) && got.Stored == want.Stored
	}

	act := ActivityFromWire(ActivityToWire(&adapters.Activity{Subject: "mail", Attachments: []adapters.Attachment{broken}}))
	if len(act.Attachments) != 1 || !same(act.Attachments[0]) {
		t.Errorf("activity attachment after the wire: %+v, want %+v", act.Attachments, want)
	}

	e := NewSnapshotEncoder()
	e.Add(&adapters.Item{ID: "mail-1", Attachments: []adapters.Attachment{broken}})
	var batch SnapshotBatch
	if err := decodeSnapshotResponse(e.Take(&adapters.SnapshotEnd{Count: 1}).Bytes(), &batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Items) != 1 || len(batch.Items[0].Attachments) != 1 || !same(batch.Items[0].Attachments[0]) {
		t.Fatalf("snapshot attachment after the wire: %+v, want %+v", batch.Items, want)
	}
	if w := batch.Items[0].Warnings; len(w) != 1 || w[0] != "invalid UTF-8 replaced with U+FFFD in: attachments" {
		t.Errorf("warnings %q", w)
	}
	if broken.Name != "Gr\xfc\xdfe.pdf" {
		t.Error("the adapter's attachment was modified")
	}
}

// The snapshot item nests exactly the bytes of the generated Attachment
// encoder, and a malformed one fails the batch instead of arriving empty.
func TestSnapshotAttachmentsUseTheGeneratedCoder(t *testing.T) {
	a := adapters.Attachment{Name: "a.txt", Type: "text/plain", Size: 3, Part: "1.2"}
	e := NewSnapshotEncoder()
	e.Add(&adapters.Item{ID: "x", Attachments: []adapters.Attachment{a}})
	raw := e.Take(nil).Bytes()
	nested := appendAttachment(nil, &a, &pb.Attachment{})
	if !bytes.Contains(raw, nested) {
		t.Fatal("the item does not nest the generated code's attachment bytes")
	}
	if got := attachmentFromWire(attachmentToWire(&a)); got.Name != a.Name || got.Part != a.Part || got.Size != a.Size {
		t.Fatalf("round trip %+v", got)
	}
	var d wireDecoder
	var out adapters.Attachment
	if err := d.attachment([]byte{0x0a, 0x05, 'a'}, &out); err == nil {
		t.Error("a truncated attachment decoded without error")
	}
}
