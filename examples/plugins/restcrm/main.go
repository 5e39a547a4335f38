// Command gwsync-plugin-restcrm is the example CRM sink for a REST/JSON
// CRM as a gwsync plugin: build it under that name into plugin_dir and
// name it in the config (`crm: {plugin: restcrm, options: {base_url: …}}`).
// See README.md.
package main

import (
	"github.com/gwsync/gwsync/adapters"
	restcrm "github.com/gwsync/gwsync/examples/plugins/restcrm/sink"
	"github.com/gwsync/gwsync/sdk"
)

func main() {
	sdk.ServeSink(func(cfg adapters.Config) (adapters.Sink, error) { return restcrm.New(cfg) })
}
