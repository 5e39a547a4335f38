package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// PluginRun says which plugin executable RunPlugin checks, and how.
type PluginRun struct {
	// Path is the plugin executable.
	Path string
	// Kind is "sink" or "source".
	Kind string
	// Adapter is the name sent in Configure; "" takes NAME from the file
	// name gwsync-plugin-NAME (else the file's base name), as a config's
	// `plugin: NAME` would.
	Adapter string
	// Options is the plugin's options block as a JSON object (what a
	// config entry's `options:` becomes). For a source they must point at
	// groupware holding StandardFixture's items; for a sink at a CRM that
	// holds either nothing for FixtureOwner (the fixture's activities are
	// then created through Upsert) or exactly StandardFixture's
	// activities.
	Options json.RawMessage
	// Logger receives the plugin's log lines; nil discards them.
	Logger hclog.Logger
}

// Kinds of plugin RunPlugin checks.
const (
	KindSink   = "sink"
	KindSource = "source"
)

// RunPlugin runs the conformance suite that every built-in passes against
// a plugin executable, outside `go test`, over two transports, as gwsync
// runs plugins: "pooled" (named instances sharing one process of a
// plugins.Pool, as workers and the scheduler run them) and "process" (a
// process of the plugin per opened adapter, as `gwsync sync` does). Check
// names say the transport: "pooled/info", "process/update-times". What
// cannot even start (a missing file, a failed handshake, options refused)
// is the transport's check "setup".
//
// The pooled run comes first and only reads (and, for a sink, creates the
// fixture in an empty CRM): the options point at one CRM or groupware, and
// the process run's writes would change what the pooled checks expect. It
// adds the check "second-instance": a second instance in the same process,
// closed again, must leave the first one working.
func RunPlugin(p PluginRun) *Report {
	report := &Report{}
	root := &collector{report: report}
	if p.Adapter == "" {
		p.Adapter = AdapterNameOf(p.Path)
	}
	if len(p.Options) == 0 {
		p.Options = json.RawMessage(`{}`)
	}
	pool := plugins.NewPool(plugins.PoolOptions{IdleTimeout: -1})
	defer func() { _ = pool.Close() }()
	pooled := executableTransport(p, "pooled", pool)
	process := executableTransport(p, "process", nil)
	backend := func(T, Fixture) json.RawMessage { return p.Options }
	root.run(func(t T) {
		switch p.Kind {
		case KindSink:
			seeded := true
			t.Run(pooled.name, func(t T) { seeded = runSinkPooled(t, pooled, p.Adapter, backend) })
			if seeded {
				t.Run(process.name, func(t T) { runSinkSeeded(t, process, p.Adapter, backend) })
			}
		case KindSource:
			t.Run(pooled.name, func(t T) { runSourcePooled(t, pooled, p.Adapter, backend) })
			t.Run(process.name, func(t T) { runSource(t, process, p.Adapter, nil, backend) })
		default:
			t.Fatalf("kind %q: want %q or %q", p.Kind, KindSink, KindSource)
		}
	})
	// A transport's own failure (it could not even open the adapter) is
	// its check "setup".
	for i, c := range report.Checks {
		if c.Name == pooled.name || c.Name == process.name {
			report.Checks[i].Name += "/setup"
		}
	}
	if e := root.entry(); len(e.Messages) > 0 || (e.Result == Fail && !root.children) {
		e.Name = "setup"
		report.Checks = append([]Check{e}, report.Checks...)
	}
	return report
}

// AdapterNameOf is the adapter name of a plugin file: NAME of
// gwsync-plugin-NAME (with .exe dropped), else the base name.
func AdapterNameOf(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".exe")
	if name, ok := strings.CutPrefix(base, plugins.ExternalPrefix); ok && name != "" {
		return name
	}
	return base
}

// executableTransport starts the plugin at p.Path for every adapter the
// checks open, as gwsync starts an external plugin: a process per adapter
// (plugins.OpenSource), or an instance in the processes of pool when it is
// not nil.
func executableTransport(p PluginRun, name string, pool *plugins.Pool) transport {
	launch := func(adapter string, cfg adapters.Config) plugins.Launch {
		logger := p.Logger
		if logger == nil {
			logger = hclog.NewNullLogger()
		}
		return plugins.Launch{Adapter: adapter, Config: cfg, Cmd: exec.Command(p.Path), Logger: logger}
	}
	if pool != nil {
		return transport{
			name: name,
			wire: true,
			openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
				return pool.OpenSource(context.Background(), launch(adapter, cfg))
			},
			openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
				return pool.OpenSink(context.Background(), launch(adapter, cfg))
			},
		}
	}
	return transport{
		name: name,
		wire: true,
		openSource: func(t T, adapter string, cfg adapters.Config) (adapters.Source, error) {
			return plugins.OpenSource(context.Background(), launch(adapter, cfg))
		},
		openSink: func(t T, adapter string, cfg adapters.Config) (adapters.Sink, error) {
			return plugins.OpenSink(context.Background(), launch(adapter, cfg))
		},
	}
}

// seedKeyPrefix marks the fixture activities RunPlugin creates in an
// empty CRM.
const seedKeyPrefix = "conformance-fixture:"

// runSinkSeeded is runSink for a CRM that may be empty: the fixture's
// activities are created through the sink itself when FixtureOwner has
// none, so that a third party needs no way into their CRM but the plugin.
func runSinkSeeded(t T, tr transport, adapter string, backend func(T, Fixture) json.RawMessage) {
	fx := StandardFixture()
	c := &sinkChecks{adapter: adapter, tr: tr, fx: fx}
	c.opts = backend(t, fx)
	c.sink = c.open(t, c.opts)
	if !t.Run("seed-fixture", c.seedFixture) {
		return
	}
	c.run(t)
}

// seedFixture creates the fixture's activities unless FixtureOwner has
// some already (a CRM prepared with them).
func (c *sinkChecks) seedFixture(t T) {
	if have := listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}); len(have) > 0 {
		if len(have) != len(c.fx.Activities) {
			t.Fatalf("the CRM holds %d activities of %s; want none (the suite creates the fixture) or exactly the %d of the fixture: point the options at an empty test CRM", len(have), FixtureOwner, len(c.fx.Activities))
		}
		return
	}
	acts := make([]adapters.Activity, len(c.fx.Activities))
	for i, a := range c.fx.Activities {
		a.Key = seedKeyPrefix + a.ID
		a.ID = ""
		acts[i] = a
	}
	results, err := c.sink.Upsert(callCtx(t), acts)
	if err != nil {
		t.Fatalf("Upsert of the fixture's %d activities: %v", len(acts), err)
	}
	if len(results) != len(acts) {
		t.Fatalf("Upsert of %d activities returned %d results", len(acts), len(results))
	}
	for i, r := range results {
		if r.Err != nil {
			t.Errorf("Upsert of fixture activity %s %q: %v", acts[i].Type, acts[i].Subject, r.Err)
		}
	}
}

// String names the run for a report's heading.
func (p PluginRun) String() string {
	name := p.Adapter
	if name == "" {
		name = AdapterNameOf(p.Path)
	}
	return fmt.Sprintf("%s (%s %q)", p.Path, p.Kind, name)
}
