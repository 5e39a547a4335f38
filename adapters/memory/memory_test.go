package memory_test

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

// backend seeds a store of its own through the options, so that it also
// works in a plugin child process.
func backend(t *testing.T, fx conformance.Fixture) json.RawMessage {
	opts, err := json.Marshal(map[string]any{"store": fmt.Sprintf("conformance-%d", storeSeq.Add(1)), "items": fx.Items, "activities": fx.Activities})
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

var storeSeq atomic.Int64

func TestSource(t *testing.T) {
	conformance.RunSource(t, conformance.SourceSuite{Adapter: "memory", Backend: backend, Kinds: adapters.Kinds})
}

func TestSink(t *testing.T) {
	conformance.RunSink(t, conformance.SinkSuite{Adapter: "memory", Backend: backend})
}
