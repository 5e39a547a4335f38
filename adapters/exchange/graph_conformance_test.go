package exchange_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/exchange"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

func TestGraphConformance(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "exchange", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			fake := graphfake.New(t)
			fake.SeedItems("Import Folder", fx.Items)
			return fake.OptionsJSON()
		}})
}
