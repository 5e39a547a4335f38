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
	"io"
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
		{"discover", "list what each source's server offers: calendars, task lists, folders", runDiscover},
		{"serve", "run the web client: sync wizard, automatic runs, /metrics", runServe},
		{"migrate-state", "copy an embedded SQLite state into an empty PostgreSQL state (--to, or the config's)", runMigrateState},
		{"worker", "work sync jobs from the PostgreSQL queue (scale-out; needs a PostgreSQL state)", runWorker},
		{"jobs", "jobs enqueue --user NAME|--all; jobs wait: the PostgreSQL sync queue", runJobs},
		{"passwd", "print a bcrypt password_hash for a user of the web client", runPasswd},
		{"keygen", "keygen --out FILE: write a new serve.secret_key_file (shared by web replicas)", runKeygen},
		{"plugin", "plugin list: show adapters; plugin test PATH: check a plugin with the conformance suite", runPlugin},
		{"version", "print the version, commit, Go version and plugin protocol", runVersion},
		{"completion", "print a shell completion script: completion bash|zsh|fish", runCompletion},
		{"help", "show this help, or a command's: help COMMAND", runHelp},
	}
}

func main() {
	// `plugin serve` must not print anything before the go-plugin
	// handshake and must not install signal handlers of its own.
	if len(os.Args) >= 3 && os.Args[1] == "plugin" && os.Args[2] == "serve" {
		// Ctrl-C and `systemctl stop` signal the whole process group, so
		// a plugin would die under its parent's feet, which then logs its
		// exit as an ERROR while it shuts down in good order. The parent
		// stops its plugins itself, and a plugin dies with its parent
		// anyway (Pdeathsig SIGKILL and the parent watchdog).
		signal.Ignore(syscall.SIGTERM, syscall.SIGHUP)
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
	rest, err := parseGlobal(args)
	if err != nil {
		return report(ctx, err)
	}
	switch {
	case globals.version:
		return report(ctx, runVersion(ctx, nil))
	case globals.help && len(rest) == 0:
		printHelp(os.Stdout)
		return exitOK
	case globals.help:
		return report(ctx, runHelp(ctx, rest[:1]))
	case len(rest) == 0:
		printHelp(os.Stderr)
		return exitUsage
	}
	c, ok := lookupCommand(rest[0])
	if !ok {
		fmt.Fprintf(os.Stderr, "gwsync: unknown command %q\n\n", rest[0])
		printHelp(os.Stderr)
		return exitUsage
	}
	return report(ctx, c.run(ctx, rest[1:]))
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
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

// printHelp writes the overview: to stdout when asked for, to stderr
// after a usage error.
func printHelp(w io.Writer) {
	fmt.Fprint(w, `gwsync imports groupware into a CRM as activities and keeps their times in step.

Usage: gwsync [global flags] COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags, accepted before or after the command:
  --config FILE          the YAML config (default $GWSYNC_CONFIG, else ./gwsync.yaml)
  --log-format FORMAT    text or json (default text)
  --log-level LEVEL      error, warn, info or debug (default warn)
  --version              print the version and exit
  -h, --help             show help (gwsync help COMMAND for a command's flags)

Exit codes: 0 done; 1 failed; 2 usage error; 3 a new failure: an item
failed or could not be read for the first time, or a source could not be
read (plan too); items that keep failing unchanged are listed by
'gwsync status' and retried every run; 4 declined at the prompt;
5 a user was being synced by another process (skipped); 130 interrupted.
`)
}

// runHelp is `gwsync help [COMMAND]`: the overview, or the command's own
// help, which is what `gwsync COMMAND -h` prints.
func runHelp(ctx context.Context, args []string) error {
	if len(args) == 0 {
		printHelp(os.Stdout)
		return nil
	}
	if len(args) > 1 {
		return usageError{"usage: gwsync help [COMMAND]"}
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		return usageError{fmt.Sprintf("help: unknown command %q (see 'gwsync help')", args[0])}
	}
	switch c.name {
	case "help":
		printHelp(os.Stdout)
		return nil
	case "version", "completion":
		fmt.Printf("Usage: gwsync %s\n\n%s.\n", commandUsage[c.name], c.summary)
		return nil
	}
	return c.run(ctx, append(append([]string{}, subcommands[c.name]...), "-h"))
}
