package plugins_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/plugins"
)

// BenchmarkStart starts a plugin child, asks its Info and closes it: the
// fixed cost every out-of-process adapter pays once per run.
//
//	go test ./plugins -run '^$' -bench Start
func BenchmarkStart(b *testing.B) {
	opts, _ := json.Marshal(map[string]int{"items": 1})
	cfg := adapters.Config{Name: "bench", Options: opts}
	for i := 0; i < b.N; i++ {
		src, err := plugins.OpenSource(context.Background(), conformance.SubprocessLaunch("plugintest-bench", cfg))
		if err != nil {
			b.Fatal(err)
		}
		src.Info(context.Background())
		src.Close()
	}
}
