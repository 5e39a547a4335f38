package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/internal/testenv"
)

// `gwsync sync` with the imap adapter out of process (the default) and
// store_attachments stores the content of an attachment within
// attachment_max_bytes in the CRM, byte for byte, and lists a larger one
// without it; `gwsync activities --json` says which is stored.
func TestSyncStoresIMAPAttachmentsInTheCRM(t *testing.T) {
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user, pass := testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	folder := fmt.Sprintf("E2E Attachments %d", time.Now().UnixNano())
	small, big := make([]byte, 3000), make([]byte, 2<<20)
	for i := range big {
		big[i] = byte(i*11 + i>>9)
		if i < len(small) {
			small[i] = byte(i*7 + 1)
		}
	}
	copy(small, "%PDF-1.4\n")
	imaptest.Append(t, imaptest.Dial(t, addr, user, pass), folder, mailmsg.Render(adapters.Item{
		Key: "mid:e2e-attachments@x", Kind: adapters.KindMessage, Subject: "Offer with files",
		From: "customer@example.org", To: []string{"alice@example.com"}, Date: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
		Body: "See the attachments.", Attachments: []adapters.Attachment{
			{Name: "offer.pdf", Type: "application/pdf", Data: small},
			{Name: "catalogue.pdf", Type: "application/pdf", Data: big},
		}}))

	s := newSite(t, fmt.Sprintf(`  - name: alice
    email: alice@example.com
    sources:
      - name: mail
        plugin: imap
        options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: %q,
                  store_attachments: true, attachment_max_bytes: 1048576}
`, addr, user, pass, folder))
	r := s.mustRun(0, "sync", "--user", "alice", "--yes")
	if bytes.Contains([]byte(r.stdout), []byte("warning:")) {
		t.Errorf("sync printed warnings:\n%s", r.stdout)
	}
	var got *activityJSON
	for _, a := range s.activities() {
		if a.Key == "mid:e2e-attachments@x" {
			got = &a
		}
	}
	if got == nil {
		t.Fatal("the mail was not imported")
	}
	if len(got.Attachments) != 2 || !got.Attachments[0].Stored || got.Attachments[1].Stored ||
		got.Attachments[0].Data != nil || got.Attachments[1].Size != int64(len(big)) {
		t.Fatalf("activities --json attachments %+v, want offer.pdf stored, catalogue.pdf listed only", got.Attachments)
	}
	data, err := s.crm().AttachmentData(t.Context(), got.ID, 0)
	if err != nil || !bytes.Equal(data, small) {
		t.Fatalf("stored content: %d bytes, %v; want the %d bytes of offer.pdf", len(data), err, len(small))
	}
}
