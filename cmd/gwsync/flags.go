package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gwsync/gwsync/config"
	"github.com/hashicorp/go-hclog"
	"golang.org/x/term"
)

// common holds the flags every command takes.
type common struct {
	configPath string
	logFormat  string
	logLevel   string
}

func newFlagSet(name, usage string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &common{}
	def := os.Getenv("GWSYNC_CONFIG")
	if def == "" {
		def = "gwsync.yaml"
	}
	fs.StringVar(&c.configPath, "config", def, "the YAML config `file`")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "warn", "log level: error, warn, info, debug")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: gwsync %s\n\nFlags:\n", usage)
		fs.SetOutput(os.Stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs, c
}

// parse parses flags; -h prints usage and ends the command successfully.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
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
