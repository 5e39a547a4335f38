// Package conformance is the conformance suite every gwsync adapter passes
// (rclone's fstests pattern): one test file per adapter calls RunSource or
// RunSink with a function that prepares a backend holding the standard
// fixture, and the suite checks the adapters contract over three
// transports, as subtests:
//
//   - "inprocess": the adapter built by adapters.NewSource/NewSink;
//   - "grpc": behind the plugin protocol over an in-memory connection to
//     the server a plugin process runs (plugins.ServeInMemory), which
//     catches anything the converters lose;
//   - "subprocess": in a real child process (the test binary re-executed,
//     see Main), which catches anything that only works in one process;
//   - "pooled": an instance in the long-lived processes of a plugins.Pool
//     shared by the whole test binary (as a worker runs adapters), which
//     catches anything that only works with one instance per process.
//
// A capability the adapter does not declare in Info is skipped, and over
// the wire it must fail with CodeUnsupported.
//
// The checks take a T, which *testing.T (wrapped) and a report collector
// both provide: RunPlugin runs the same checks outside `go test` against a
// plugin executable, for `gwsync plugin test`.
package conformance
