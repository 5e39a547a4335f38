package exchange_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/adaptertest"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
)

func TestEWSConformance(t *testing.T) {
	adaptertest.RunSource(t, adaptertest.SourceSuite{Adapter: "exchange", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx adaptertest.Fixture) json.RawMessage {
			fake := ewsfake.New(t)
			fake.SeedItems("Import Folder", fx.Items)
			return fake.OptionsJSON()
		}})
}
