package sdk

import (
	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/sdk/server"
)

// NewSinkFunc builds a sink from what the host's Configure call carries:
// the instance name, the entry's options as JSON (decode them strictly with
// adapters.DecodeOptions), the user's time zone and a logger. It must not do
// I/O: connect on the first call, so that a wrong password is an error of
// that call (CodeUnauthorized) rather than of the start. Return
// CodeInvalidConfig for options that cannot work.
type NewSinkFunc func(adapters.Config) (adapters.Sink, error)

// NewSourceFunc is NewSinkFunc for a groupware source.
type NewSourceFunc func(adapters.Config) (adapters.Source, error)

// ServeSink is the main of a sink plugin: it serves the sinks newSink
// builds, one per Configure call of the host (a worker's pool asks one
// process for several instances), until the host disconnects, then closes
// them and returns. Started by hand rather than by gwsync it prints a
// notice on stderr and exits 1. Nothing may be written to stdout before or
// while it runs: go-plugin's handshake line is the only thing allowed
// there.
func ServeSink(newSink NewSinkFunc) { server.Serve(Sink(newSink)) }

// ServeSource is ServeSink for a groupware source. What the source
// implements of the optional interfaces (adapters.TimeWriter, Exporter,
// AttachmentReader, Committer) is served; what it declares in
// Info.Capabilities is all the host calls.
func ServeSource(newSource NewSourceFunc) { server.Serve(Source(newSource)) }

// Sink is what ServeSink serves, as server.Options: for a process that
// sets its own logger (server.Serve), or to test a sink through the
// protocol in process (plugins.ServeInMemory, see the example). The adapter
// name of the host's Configure is not checked: the host names the plugin
// after its file (gwsync-plugin-NAME), which the sink need not know.
func Sink(newSink NewSinkFunc) server.Options {
	return server.Options{NewSink: func(_ string, cfg adapters.Config) (adapters.Sink, error) {
		return newSink(cfg)
	}}
}

// Source is Sink for ServeSource.
func Source(newSource NewSourceFunc) server.Options {
	return server.Options{NewSource: func(_ string, cfg adapters.Config) (adapters.Source, error) {
		return newSource(cfg)
	}}
}

// ServeRegistered serves every adapter registered in this binary with
// adapters.Register (the host's Configure names one): a plugin executable
// that bundles several adapters.
func ServeRegistered() { server.Serve(server.Options{}) }

// ServeBuiltin serves only the registered adapter name; it is what the
// hidden `gwsync plugin serve NAME` command calls. Errors: InvalidConfig
// when name is not registered (print it on stderr and exit non-zero);
// otherwise it returns nil once the host disconnects. A Configure for
// another adapter fails with InvalidConfig.
func ServeBuiltin(name string) error {
	if _, ok := adapters.Lookup(name); !ok {
		return adapters.UnknownError(name)
	}
	server.Serve(server.Options{
		NewSource: func(adapter string, cfg adapters.Config) (adapters.Source, error) {
			if err := only(name, adapter); err != nil {
				return nil, err
			}
			return adapters.NewSource(adapter, cfg)
		},
		NewSink: func(adapter string, cfg adapters.Config) (adapters.Sink, error) {
			if err := only(name, adapter); err != nil {
				return nil, err
			}
			return adapters.NewSink(adapter, cfg)
		},
	})
	return nil
}

func only(served, asked string) error {
	if asked != served {
		return adapters.Errorf(adapters.CodeInvalidConfig, "this plugin process serves %q, not %q", served, asked)
	}
	return nil
}
