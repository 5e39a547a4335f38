package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
)

// runConfig is `gwsync config check`: it loads the file and builds every
// adapter in process (constructors do no I/O), so unknown plugins and bad
// options are reported with their file and line without contacting a
// server.
func runConfig(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "schema" {
		return runConfigSchema(args[1:])
	}
	if len(args) == 0 || args[0] != "check" {
		return usageError{"usage: gwsync config check [--config FILE] | gwsync config schema [--json]"}
	}
	fs, c := newFlagSet("config check", "config check [--config FILE]")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	op := &opener{cfg: cfg, logger: logger}
	var problems []error
	check := func(p config.Plugin, tz string, sink bool) {
		if _, builtin := adapters.Lookup(p.Plugin); !builtin {
			l, err := op.launch(p, tz)
			if err == nil {
				err = op.checkPin(p, l)
			}
			if err != nil {
				problems = append(problems, err)
			}
			return // an external plugin's options are checked when it starts
		}
		var err error
		if sink {
			_, err = adapters.NewSink(p.Plugin, op.adapterConfig(p, tz))
		} else {
			_, err = adapters.NewSource(p.Plugin, op.adapterConfig(p, tz))
		}
		if err != nil {
			problems = append(problems, op.explain(p, err))
		}
	}
	check(cfg.CRM, cfg.Defaults.TimeZone, true)
	sources := 0
	for _, u := range cfg.Users {
		for _, s := range u.Sources {
			check(s, u.TimeZone, false)
			sources++
		}
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		return exitCodeError{code: exitError, msg: fmt.Sprintf("%s: %d problems", cfg.File, len(problems))}
	}
	fmt.Printf("%s: OK (%d users, %d sources, CRM %s)\n", cfg.File, len(cfg.Users), sources, cfg.CRM)
	return nil
}

// runConfigSchema is `gwsync config schema`: every built-in adapter's
// options, as examples/full.yaml documents them (or JSON).
func runConfigSchema(args []string) error {
	fs, _ := newFlagSet("config schema", "config schema [--json]")
	asJSON := fs.Bool("json", false, "print the declared options as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *asJSON {
		return writeOptionSchemaJSON(os.Stdout)
	}
	writeOptionReference(os.Stdout)
	return nil
}
