package plugins

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-plugin"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/sdk/server"
	"github.com/gwsync/gwsync/sdk/wire"
)

// DialSource configures the registered adapter named adapter as a source
// on an already connected go-plugin client (from a plugin.Client, or from
// ServeInMemory in tests and examples) and returns it. Close on the result
// closes cp. Errors: the adapter's constructor errors with their codes
// (InvalidConfig for an unknown adapter or bad options); cp is closed then.
func DialSource(ctx context.Context, cp plugin.ClientProtocol, adapter string, cfg adapters.Config) (adapters.Source, error) {
	return dialSource(ctx, cp, adapter, cfg, true, &remote{name: wire.InstanceLabel(adapter, cfg.Name), close: cp.Close})
}

// DialSink is DialSource for a CRM sink.
func DialSink(ctx context.Context, cp plugin.ClientProtocol, adapter string, cfg adapters.Config) (adapters.Sink, error) {
	return dialSink(ctx, cp, adapter, cfg, &remote{name: wire.InstanceLabel(adapter, cfg.Name), close: cp.Close})
}

func dialSource(ctx context.Context, cp plugin.ClientProtocol, adapter string, cfg adapters.Config, withInfo bool, r *remote) (adapters.Source, error) {
	clients, err := dispense(cp)
	if err != nil {
		_ = r.close()
		return nil, err
	}
	src, err := configureSource(ctx, clients.source, r, adapter, cfg, withInfo)
	if err != nil {
		_ = r.close()
		return nil, err
	}
	return src, nil
}

func dialSink(ctx context.Context, cp plugin.ClientProtocol, adapter string, cfg adapters.Config, r *remote) (adapters.Sink, error) {
	clients, err := dispense(cp)
	if err != nil {
		_ = r.close()
		return nil, err
	}
	sink, err := configureSink(ctx, clients.sink, r, adapter, cfg)
	if err != nil {
		_ = r.close()
		return nil, err
	}
	return sink, nil
}

func dispense(cp plugin.ClientProtocol) (*wireClients, error) {
	raw, err := cp.Dispense(server.PluginName)
	if err != nil {
		return nil, fmt.Errorf("plugin: dispense %q: %w", server.PluginName, err)
	}
	clients, ok := raw.(*wireClients)
	if !ok {
		return nil, fmt.Errorf("plugin: dispensed %T, not a gwsync adapter plugin", raw)
	}
	return clients, nil
}
