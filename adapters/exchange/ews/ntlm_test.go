package ews_test

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
	"github.com/gwsync/gwsync/conformance"
)

// TestNTLM: against a server offering only NTLM, auth ntlm completes the
// Negotiate → challenge → Authenticate handshake and reads the mailbox;
// a wrong password is Unauthorized naming mailbox and user. (The fake
// reports any Basic credentials it sees, so this also proves the password
// itself is never sent.)
func TestNTLM(t *testing.T) {
	fake := ewsfake.New(t)
	fake.SeedItems("Import Folder", conformance.StandardFixture().Items)
	fake.RequireNTLM()

	src := newSource(t, fake, func(c *ews.Config) { c.Auth = "ntlm" })
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{})
	if len(items) != 6 {
		t.Errorf("%d items over NTLM, want 6", len(items))
	}
	if n := fake.NTLMLogons(); n < 1 || n > 2 {
		// Kept-alive connections stay authenticated: one handshake per
		// connection, not one per request.
		t.Errorf("%d NTLM logons for %d requests, want one per connection", n, len(fake.Operations()))
	}

	wrong := newSource(t, fake, func(c *ews.Config) { c.Auth, c.Password = "ntlm", "wrong" })
	_, err := wrong.Info(t.Context())
	requireCode(t, "NTLM with a wrong password", err, adapters.CodeUnauthorized)
	if !strings.Contains(err.Error(), ewsfake.Mailbox) || !strings.Contains(err.Error(), ewsfake.Username) {
		t.Errorf("error %q does not name the mailbox and the user", err)
	}
}
