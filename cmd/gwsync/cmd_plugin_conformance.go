package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/conformance"
)

// newPluginFlagSet is the flag set of `plugin list` and `plugin test`:
// --config means the gwsync config to list, or the options to test with.
func newPluginFlagSet() (*flag.FlagSet, *common, *string) {
	fs, c := newFlagSet("plugin", pluginUsage)
	fs.Lookup("config").Usage = "the YAML config `file`; for plugin test: the plugin's options, what a config entry's options: block holds"
	kind := fs.String("kind", conformance.KindSink, "plugin test: the `kind` of adapter PATH serves: sink or source; the report prints each check, exit 1 if one fails")
	return fs, c, kind
}

// runPluginTest is `gwsync plugin test PATH`: the conformance suite the
// built-ins pass, run against the plugin executable PATH, as a report on
// stdout. Exit 1 when a check fails, so CI can run it.
func runPluginTest(ctx context.Context, args []string) error {
	fs, c, kind := newPluginFlagSet()
	path, flags := splitPath(fs, args)
	// Only an explicit --config names options here; the gwsync config's
	// default file has nothing to do with a plugin's options.
	c.configPath = ""
	if err := parse(fs, flags); err != nil {
		return err
	}
	if path == "" {
		return usageError{"usage: gwsync plugin test PATH [--kind sink|source] [--config OPTIONS.yaml]"}
	}
	if *kind != conformance.KindSink && *kind != conformance.KindSource {
		return usageError{fmt.Sprintf("plugin test: --kind %q: want sink or source", *kind)}
	}
	run := conformance.PluginRun{Path: path, Kind: *kind}
	if c.configPath != "" {
		opts, err := config.LoadOptions(c.configPath)
		if err != nil {
			return fmt.Errorf("plugin test: options: %w", err)
		}
		run.Options = opts
	}
	logger, err := c.logger()
	if err != nil {
		return err
	}
	run.Logger = logger
	fmt.Printf("gwsync plugin test %s\n", run)
	report := conformance.RunPlugin(run)
	report.Write(os.Stdout)
	if report.Failed() {
		return exitCodeError{code: exitError, msg: fmt.Sprintf("plugin test: %s does not pass the conformance suite", path)}
	}
	return nil
}

// splitPath takes PATH from in front of the flags or after them (a last
// argument that is the value of a flag before it is no PATH).
func splitPath(fs *flag.FlagSet, args []string) (path string, flags []string) {
	n := len(args)
	switch {
	case n == 0:
		return "", nil
	case !strings.HasPrefix(args[0], "-"):
		return args[0], args[1:]
	case strings.HasPrefix(args[n-1], "-"):
		return "", args
	case n >= 2 && takesValue(fs, args[n-2]):
		return "", args
	}
	return args[n-1], args[:n-1]
}

// takesValue reports whether arg is a flag whose value is the next argument.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") || name == arg {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}
