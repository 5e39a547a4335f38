package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/hashicorp/go-hclog"
	"golang.org/x/term"
)

// common holds the flags every command takes.
type common struct {
	configPath string
	logFormat  string
	logLevel   string
}

// globalOptions are the flags given before the command (`gwsync --config
// x plan`). They become the defaults of the command's own flag set, so the
// same flag after the command still wins.
type globalOptions struct {
	common
	version bool
	help    bool
}

var globals globalOptions

// subcommands are the words a command needs before its flags, so that
// `gwsync help config` and the completion scripts reach its flag set.
var subcommands = map[string][]string{
	"config": {"check"},
	"plugin": {"list", "test"},
	"jobs":   {"enqueue"},
}

// commandUsage is the usage line of the commands that take no flag set.
var commandUsage = map[string]string{
	"version":    "version",
	"completion": "completion bash|zsh|fish",
}

// globalFlagSet declares the global flags on fs with the defaults of the
// environment.
func globalFlagSet(fs *flag.FlagSet, c *common) {
	def := os.Getenv("GWSYNC_CONFIG")
	if def == "" {
		def = "gwsync.yaml"
	}
	fs.StringVar(&c.configPath, "config", def, "the YAML config `file`")
	fs.StringVar(&c.logFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&c.logLevel, "log-level", "warn", "log `level`: error, warn, info, debug")
}

// parseGlobal reads the global flags in front of the command into globals
// and returns the command with its arguments.
func parseGlobal(args []string) ([]string, error) {
	globals = globalOptions{}
	fs := flag.NewFlagSet("gwsync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	globalFlagSet(fs, &globals.common)
	fs.BoolVar(&globals.version, "version", false, "print the version")
	fs.BoolVar(&globals.help, "help", false, "show help")
	fs.BoolVar(&globals.help, "h", false, "show help")
	if err := fs.Parse(args); err != nil {
		return nil, usageError{fmt.Sprintf("%v (see 'gwsync help')", err)}
	}
	return fs.Args(), nil
}

// usages holds each flag set's usage text; flag.FlagSet calls Usage on
// every parse error too, so it stays quiet and parse prints the text once,
// on -h only.
var usages sync.Map // *flag.FlagSet → string

// collectFlags, when set, receives the flag set of a command instead of
// parsing it: the completion scripts learn every command's flags this way,
// from the same code that parses them, without running anything.
var collectFlags func(*flag.FlagSet)

// errCollected ends a command whose flag set was handed to collectFlags.
var errCollected = errors.New("flags collected")

func newFlagSet(name, usage string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &common{}
	globalFlagSet(fs, c)
	// Flags given before the command are the defaults here.
	if g := globals.common; g != (common{}) {
		*c = g
	}
	fs.Usage = func() {}
	usages.Store(fs, usage)
	return fs, c
}

// printUsage writes a command's help.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	usage, _ := usages.Load(fs)
	fmt.Fprintf(w, "Usage: gwsync %s\n\nFlags:\n", usage)
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + strings.ToUpper(name)
		}
		if f.DefValue != "" && f.DefValue != "false" {
			help += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		help = strings.ReplaceAll(help, "\n", "\n"+strings.Repeat(" ", 25))
		if len(left) > 20 {
			fmt.Fprintf(w, "  %s\n%s%s\n", left, strings.Repeat(" ", 25), help)
			return
		}
		fmt.Fprintf(w, "  %-22s %s\n", left, help)
	})
}

// parse parses flags; -h prints usage (once, on stdout) and ends the
// command successfully.
func parse(fs *flag.FlagSet, args []string) error {
	if collectFlags != nil {
		collectFlags(fs)
		return errCollected
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(os.Stdout, fs)
		return exitCodeError{code: exitOK}
	}
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v (see 'gwsync %s -h')", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see 'gwsync %s -h')", fs.Name(), fs.Arg(0), fs.Name())}
	}
	return nil
}

func (c *common) logger() (hclog.Logger, error) {
	lvl := hclog.LevelFromString(c.logLevel)
	if lvl == hclog.NoLevel {
		return nil, usageError{fmt.Sprintf("unknown --log-level %q (error, warn, info, debug)", c.logLevel)}
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return nil, usageError{fmt.Sprintf("unknown --log-format %q (text, json)", c.logFormat)}
	}
	// Text logs go through termSafeWriter: hclog quotes odd values, but
	// writes a value with a line break as it is, escapes and all. Colour
	// is off, because the writer would escape hclog's own colour codes.
	var out io.Writer = termSafeWriter{os.Stderr}
	if c.logFormat == "json" {
		out = os.Stderr
	}
	return hclog.New(&hclog.LoggerOptions{Name: "gwsync", Level: lvl, Output: out,
		JSONFormat: c.logFormat == "json", Color: hclog.ColorOff}), nil
}

func (c *common) load() (*config.Config, error) {
	cfg, err := config.Load(c.configPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("config file %s not found (pass --config FILE; examples/quickstart.yaml is a start)", c.configPath)
	}
	return cfg, err
}

// setup builds the logger and loads the config, which most commands need
// first.
func (c *common) setup() (hclog.Logger, *config.Config, error) {
	logger, err := c.logger()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := c.load()
	return logger, cfg, err
}

// users returns the users a command works on: the one named, or all.
func users(cfg *config.Config, name string) ([]*config.User, error) {
	if name != "" {
		u, err := cfg.User(name)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		return []*config.User{u}, nil
	}
	out := make([]*config.User, len(cfg.Users))
	for i := range cfg.Users {
		out[i] = &cfg.Users[i]
	}
	return out, nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// splitList splits "a,b, c" into its non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// planWidth is the width of plan tables: engine.TableWidth, or no limit
// for --wide.
func planWidth(wide bool) int {
	if wide {
		return 0
	}
	return engine.TableWidth
}
