package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/internal/testenv"
)

// `gwsync sync` with the imap adapter out of process and after_import:
// move leaves the imported mail in move_to as soon as the command
// returns; the next sync (a new plugin process, which catches up from the
// stored cursor) imports nothing, moves nothing twice and fails nothing.
func TestSyncMovesImportedMailRightAway(t *testing.T) {
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user, pass := testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	stamp := time.Now().UnixNano()
	folder, done := fmt.Sprintf("E2E Import %d", stamp), fmt.Sprintf("E2E Imported %d", stamp)
	c := imaptest.Dial(t, addr, user, pass)
	for i := range 2 {
		imaptest.Append(t, c, folder, mailmsg.Render(adapters.Item{
			Key: fmt.Sprintf("mid:e2e-move-%d-%d@x", stamp, i), Kind: adapters.KindMessage, Subject: "Order",
			From: "customer@example.org", To: []string{"alice@example.com"},
			Date: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), Body: "Please deliver."}))
	}
	s := newSite(t, fmt.Sprintf(`  - name: alice
    email: alice@example.com
    sources:
      - name: mail
        plugin: imap
        options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: %q,
                  after_import: move, move_to: %q}
`, addr, user, pass, folder, done))

	r := s.mustRun(0, "sync", "--user", "alice", "--yes")
	if !strings.Contains(r.stdout, " ok: 2 created") {
		t.Fatalf("first sync:\n%s", r.stdout)
	}
	if n, m := imaptest.Count(t, c, folder), imaptest.Count(t, c, done); n != 0 || m != 2 {
		t.Fatalf("right after sync: %d in %q, %d in %q; want 0 and 2", n, folder, m, done)
	}
	r = s.mustRun(0, "sync", "--user", "alice", "--yes")
	if strings.Contains(r.stdout, "failed:") || strings.Contains(r.stdout, " partial") {
		t.Fatalf("second sync:\n%s", r.stdout)
	}
	if n, m := imaptest.Count(t, c, folder), imaptest.Count(t, c, done); n != 0 || m != 2 {
		t.Fatalf("after the second sync: %d in %q, %d in %q; want 0 and 2", n, folder, m, done)
	}
}
