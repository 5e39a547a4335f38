// Package plugins is the host side of gwsync's plugin protocol
// (gwsync.plugin.v1 over hashicorp/go-plugin and gRPC; the .proto files in
// proto/ are the reference, their generated code proto/pluginv1).
//
// The host calls OpenSource or OpenSink with a Launch, or a Pool's, and
// gets back an ordinary adapters.Source or adapters.Sink, so the engine
// cannot tell an out-of-process adapter from an in-process one: error
// codes, per-item results and capabilities survive the wire. The plugin
// side is the public SDK (package sdk, sdk/server); ServeInMemory serves it
// in this process for tests, through the same server a plugin process
// runs.
//
// Listings stream in batches and end with an explicit end marker carrying
// the count. The host side fails a listing that stops without the marker or
// whose count differs from what arrived, so a crashed plugin never looks
// like a source whose items were deleted.
package plugins
