// Command gwsync imports groupware (e-mail, tasks, calendar events) into a
// CRM as activities and keeps their times in step, both ways.
//
// Run `gwsync help` for the commands; docs/architecture.md explains the
// design.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/hashicorp/go-plugin"

	_ "github.com/gwsync/gwsync/adapters/all"
)

// Exit codes, documented in `gwsync help` and the README.
const (
	exitOK       = 0 // everything done
	exitError    = 1 // the command failed (config, state, CRM, a listing)
	exitUsage    = 2 // wrong flags or arguments
	exitPartial  = 3 // the run met a new failure (an item, or a source that could not be read)
	exitDeclined = 4 // the user answered "no" at the prompt: nothing applied
	exitBusy     = 5 // a user was being synced by another process: skipped
	exitSignal   = 130
)

// usageError marks errors in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCodeError carries a specific exit code and a message (maybe empty).
type exitCodeError struct {
	code int
	msg  string
}

func (e exitCodeError) Error() string { return e.msg }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"plan", "show what a sync would do (table, or --json)", runPlan},
		{"sync", "plan and apply: import new items, sync changed times both ways", runSync},
		{"activities", "list the activities in the CRM (--type, --json)", runActivities},
		{"status", "show the last runs, cursors and per-item errors", runStatus},
		{"config", "config check: validate a config file", runConfig},
		{"serve", "run the web client: sync wizard, automatic runs, /metrics", runServe},
		{"migrate-state", "copy an embedded SQLite state into the (empty PostgreSQL) state the config names", runMigrateState},
		{"passwd", "print a bcrypt password_hash for a user of the web client", runPasswd},
		{"plugin", "plugin list: show adapters; plugin serve NAME: (internal) serve one", runPlugin},
		{"help", "show this help", func(context.Context, []string) error { printHelp(); return nil }},
	}
}

func main() {
	// `plugin serve` must not print anything before the go-plugin
	// handshake and must not install signal handlers of its own.
	if len(os.Args) >= 3 && os.Args[1] == "plugin" && os.Args[2] == "serve" {
		os.Exit(servePlugin(os.Args[3:]))
	}
	limitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	plugin.CleanupClients() // any plugin process still running (os.Exit skips defers)
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printHelp()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:])
		return report(ctx, err)
	}
	fmt.Fprintf(os.Stderr, "gwsync: unknown command %q\n\n", args[0])
	printHelp()
	return exitUsage
}

func report(ctx context.Context, err error) int {
	var ue usageError
	var ce exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ce):
		if ce.msg != "" {
			fmt.Fprintln(os.Stderr, "gwsync:", ce.msg)
		}
		return ce.code
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "gwsync:", ue.msg)
		return exitUsage
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "gwsync: interrupted:", err)
		return exitSignal
	}
	fmt.Fprintln(os.Stderr, "gwsync:", err)
	return exitError
}

// limitMemory sets a soft heap limit when GOMEMLIMIT is not set: planning
// a million links stays within it at the price of more GC work, instead of
// letting the heap double past what the machine has.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

func printHelp() {
	fmt.Fprint(os.Stderr, `gwsync imports groupware into a CRM as activities and keeps their times in step.

Usage: gwsync COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(os.Stderr, `
Every command takes --config FILE (default $GWSYNC_CONFIG, else ./gwsync.yaml),
--log-format text|json and --log-level error|warn|info|debug.
Run 'gwsync COMMAND -h' for a command's flags.

Exit codes: 0 done; 1 failed; 2 usage error; 3 a new failure: an item
failed or could not be read for the first time, or a source could not be
read (plan too); items that keep failing unchanged are listed by
'gwsync status' and retried every run; 4 declined at the prompt;
130 interrupted.
`)
}
