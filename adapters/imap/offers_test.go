package imap_test

import (
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// Discover lists the folders with their message counts, names decoded,
// against the in-memory server and Dovecot.
func TestDiscover(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Entwürfe & Test")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("d1@x", "one", "kunde@example.org"))
		imaptest.Append(t, c, f, msg("d2@x", "two", "kunde@example.org"))
		offers, err := open(t, srv.opts()).Discover(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		var got *adapters.Offer
		inbox := false
		for i, o := range offers {
			if o.Path == f {
				got = &offers[i]
			}
			inbox = inbox || o.Path == "INBOX"
		}
		if got == nil || got.Messages != 2 || got.Option != "folders" || got.What != "folder" || got.Name != f {
			t.Fatalf("folder %q: %+v in %+v", f, got, offers)
		}
		if !inbox && srv.name == "dovecot" {
			t.Errorf("INBOX not offered: %+v", offers)
		}
	})
}
