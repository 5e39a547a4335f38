package files_test

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

func TestConformance(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "files", Kinds: adapters.Kinds,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			opts, err := files.WriteFixture(t.TempDir(), fx.Items)
			if err != nil {
				t.Fatal(err)
			}
			return opts
		}})
}
