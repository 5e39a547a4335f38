package exchange_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/adaptertest"
	_ "github.com/gwsync/gwsync/adapters/exchange"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
)

func TestMain(m *testing.M) { adaptertest.Main(m) }

func TestGraphConformance(t *testing.T) {
	adaptertest.RunSource(t, adaptertest.SourceSuite{Adapter: "exchange", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx adaptertest.Fixture) json.RawMessage {
			fake := graphfake.New(t)
			fake.SeedItems("Import Folder", fx.Items)
			return fake.OptionsJSON()
		}})
}
