package exchange_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
	"github.com/gwsync/gwsync/conformance"
)

func TestEWSConformance(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "exchange", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			fake := ewsfake.New(t)
			fake.SeedItems("Import Folder", fx.Items)
			return fake.OptionsJSON()
		}})
}

// TestEWSConformanceNTLM runs the suite against a server that accepts
// only NTLM, with auth: ntlm in the options.
func TestEWSConformanceNTLM(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "exchange", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			fake := ewsfake.New(t)
			fake.SeedItems("Import Folder", fx.Items)
			fake.RequireNTLM()
			t.Cleanup(func() {
				if len(fake.Operations()) > 0 && fake.NTLMLogons() == 0 {
					t.Errorf("%d operations served without an NTLM logon", len(fake.Operations()))
				}
			})
			return fake.OptionsJSON()
		}})
}
