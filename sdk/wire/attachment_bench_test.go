package wire

import (
	"fmt"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// BenchmarkSnapshotMailWithAttachments encodes and decodes one full batch
// of mails with two attachments each (names, types, sizes, parts; no
// content, as in every snapshot): the cost of nesting the generated
// Attachment coder in the hand-written item coder.
func BenchmarkSnapshotMailWithAttachments(b *testing.B) {
	items := make([]adapters.Item, MaxBatchItems)
	for i := range items {
		items[i] = adapters.Item{
			ID: fmt.Sprintf("INBOX/%d", i), Kind: adapters.KindMessage, Subject: "Offer and price list", Body: "see the attached files",
			From: "juergen@example.org", To: []string{"sam@example.com"},
			Attachments: []adapters.Attachment{
				{Name: "offer.pdf", Type: "application/pdf", Size: 182_331, Part: "2"},
				{Name: "prices.xlsx", Type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Size: 40_112, Part: "3"},
			},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		e := NewSnapshotEncoder()
		for i := range items {
			e.Add(&items[i])
		}
		var batch SnapshotBatch
		if err := decodeSnapshotResponse(e.Take(&adapters.SnapshotEnd{Count: int64(len(items))}).Bytes(), &batch); err != nil {
			b.Fatal(err)
		}
		if len(batch.Items) != len(items) || len(batch.Items[7].Attachments) != 2 {
			b.Fatal("lost items or attachments")
		}
	}
}
