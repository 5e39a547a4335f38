package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/sdk"
)

const pluginUsage = "plugin list [--config FILE] | plugin test PATH [--kind sink|source] [--config OPTIONS.yaml]"

func runPlugin(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "test") {
		return usageError{"usage: gwsync " + pluginUsage}
	}
	// `gwsync help plugin` and the completion scripts come with every
	// subcommand word in front of -h: both share one flag set.
	if len(args) > 1 && args[0] == "list" && args[1] == "test" {
		fs, _, _ := newPluginFlagSet()
		return parse(fs, args[2:])
	}
	if args[0] == "test" {
		return runPluginTest(ctx, args[1:])
	}
	fs, c, _ := newPluginFlagSet()
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	fmt.Println("Built-in adapters (run out of process unless in_process: true):")
	for _, r := range adapters.Registered() {
		fmt.Println("  " + r.String())
	}
	cfg, err := c.load()
	if err != nil || cfg.PluginDir == "" {
		return nil // no config, or no plugin_dir: only built-ins exist
	}
	matches, _ := filepath.Glob(filepath.Join(cfg.PluginDir, plugins.ExternalPrefix+"*"))
	fmt.Printf("External plugins in %s:\n", cfg.PluginDir)
	if len(matches) == 0 {
		fmt.Println("  (none)")
	}
	for _, m := range matches {
		fmt.Println("  " + strings.TrimPrefix(filepath.Base(m), plugins.ExternalPrefix))
	}
	return nil
}

// servePlugin is `gwsync plugin serve NAME`: the engine runs built-in
// adapters this way. Nothing may go to stdout before the handshake.
func servePlugin(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: gwsync plugin serve NAME (started by gwsync itself)")
		return exitUsage
	}
	if err := sdk.ServeBuiltin(args[0]); err != nil {
		fmt.Fprintln(os.Stderr, "gwsync plugin serve:", err)
		return exitError
	}
	return exitOK
}
