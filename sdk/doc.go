// Package sdk is what a third party needs to serve a gwsync adapter from
// its own executable: a CRM sink (adapters.Sink) or a groupware source
// (adapters.Source), reached by gwsync out of process over gRPC through
// hashicorp/go-plugin. Shaped like terraform-plugin-go:
//
//   - github.com/gwsync/gwsync/adapters: the contract (Source, Sink, the
//     types that cross it, error codes). Implement it.
//   - github.com/gwsync/gwsync/sdk: ServeSink, ServeSource (this package).
//     Call one from main.
//   - github.com/gwsync/gwsync/sdk/server: the gRPC services behind them,
//     for a process that serves several adapters or needs its own logger.
//   - github.com/gwsync/gwsync/sdk/wire: the one conversion between the
//     contract and the protocol, both directions, for hosts and servers.
//   - github.com/gwsync/gwsync/plugins/proto/pluginv1: the Go code
//     generated from plugins/proto/gwsync/plugin/v1/*.proto, the protocol's
//     reference for authors in other languages.
//
// A sink in full:
//
//	func main() {
//		sdk.ServeSink(func(cfg adapters.Config) (adapters.Sink, error) {
//			var o struct{ URL string `json:"url"` }
//			if err := adapters.DecodeOptions(cfg.Options, &o); err != nil {
//				return nil, err
//			}
//			return &mySink{url: o.URL}, nil
//		})
//	}
//
// Build it as gwsync-plugin-NAME, put it in the config's plugin_dir, check
// it with `gwsync plugin test ./gwsync-plugin-NAME --kind sink`, and name it
// in the config as `crm: {plugin: NAME, options: {url: …}}`.
// docs/plugins.md is the guide: how a plugin is found, pinned, started,
// versioned and tested, and what the engine does with each error code.
package sdk
