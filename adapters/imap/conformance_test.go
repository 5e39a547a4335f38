package imap_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

// seedFixture appends the fixture's messages to a fresh folder, and turns
// store_attachments on so that the suite reads the fixture's attachment,
// and after_import: flag so that it calls Committed.
func seedFixture(t *testing.T, srv server, fx conformance.Fixture) json.RawMessage {
	f := folder("Conformance")
	c := srv.client(t)
	for _, it := range fx.Items {
		if it.Kind == adapters.KindMessage {
			imaptest.Append(t, c, f, mailmsg.Render(it))
		}
	}
	return withOpts(t, srv.opts(f), map[string]any{"store_attachments": true, "after_import": "flag"})
}

func TestConformanceMem(t *testing.T) {
	srv := memServer(t)
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "imap", Kinds: []adapters.Kind{adapters.KindMessage},
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage { return seedFixture(t, srv, fx) }})
}

func TestConformanceDovecot(t *testing.T) {
	srv := dovecotServer(t)
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "imap", Kinds: []adapters.Kind{adapters.KindMessage},
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage { return seedFixture(t, srv, fx) }})
}
