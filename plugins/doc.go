// Package plugins runs adapters out of process: it is the only package that
// knows both the adapters contract and the wire (gRPC over
// hashicorp/go-plugin, protocol gwsync.plugin.v1 in proto/).
//
// A plugin process calls Serve (or ServeBuiltin from the hidden
// `gwsync plugin serve NAME` command) and serves whichever registered
// adapter the host configures. The host calls OpenSource or OpenSink with a
// Launch and gets back an ordinary adapters.Source or adapters.Sink, so the
// engine cannot tell an out-of-process adapter from an in-process one:
// error codes, per-item results and capabilities survive the wire.
//
// Listings stream in batches and end with an explicit end marker carrying
// the count. The host side fails a listing that stops without the marker or
// whose count differs from what arrived, so a crashed plugin never looks
// like a source whose items were deleted.
package plugins
