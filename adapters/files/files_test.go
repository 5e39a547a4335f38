package files_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/adaptertest"
	"github.com/gwsync/gwsync/adapters/files"
)

func TestMain(m *testing.M) { adaptertest.Main(m) }

func TestConformance(t *testing.T) {
	adaptertest.RunSource(t, adaptertest.SourceSuite{Adapter: "files", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx adaptertest.Fixture) json.RawMessage {
			opts, err := files.WriteFixture(t.TempDir(), fx.Items)
			if err != nil {
				t.Fatal(err)
			}
			return opts
		}})
}
