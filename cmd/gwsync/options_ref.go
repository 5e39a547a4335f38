package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// The reference of every built-in adapter's options comes from what each
// adapter declares at registration (adapters.Option): `gwsync config
// schema` prints it, and examples/full.yaml carries the same text between
// optionsBegin and optionsEnd (a test fails when they drift).

const (
	optionsBegin = "# ---- adapter options: generated from each adapter's declared options; do not edit by hand ----"
	optionsEnd   = "# ---- end of adapter options ----"
)

func registrations() []adapters.Registration {
	regs := adapters.Registered()
	sort.Slice(regs, func(i, j int) bool { return regs[i].Name < regs[j].Name })
	return regs
}

// writeOptionReference writes the options of every built-in adapter as
// YAML comments: one block per adapter, one line per option.
func writeOptionReference(w io.Writer) {
	fmt.Fprintln(w, optionsBegin)
	fmt.Fprintln(w, "# The keys of `options:` for each built-in adapter (plugin: NAME), with type,")
	fmt.Fprintln(w, "# default and meaning. secret: a credential, never logged or shown;")
	fmt.Fprintln(w, "# login: set without any secret, the password is asked for (CLI terminal,")
	fmt.Fprintln(w, "# web client login page). ca_file means the same in every adapter: PEM CA")
	fmt.Fprintln(w, "# certificates added to the system roots.")
	for _, r := range registrations() {
		fmt.Fprintln(w, "#")
		what := "source"
		switch {
		case r.NewSink != nil && r.NewSource != nil:
			what = "source and CRM"
		case r.NewSink != nil:
			what = "CRM"
		}
		fmt.Fprintf(w, "# plugin: %s (%s)", r.Name, what)
		if r.Description != "" {
			fmt.Fprintf(w, ": %s", r.Description)
		}
		fmt.Fprintln(w)
		if len(r.Options) == 0 {
			fmt.Fprintln(w, "#   (no options)")
		}
		for _, o := range r.Options {
			var tags []string
			tags = append(tags, string(o.Type))
			if o.Default != "" {
				tags = append(tags, "default "+o.Default)
			}
			if o.Secret {
				tags = append(tags, "secret")
			}
			if o.SecretFile {
				tags = append(tags, "secret file")
			}
			if o.Login {
				tags = append(tags, "login")
			}
			fmt.Fprintf(w, "#   %s: (%s) %s\n", o.Name, strings.Join(tags, ", "), o.Help)
		}
	}
	fmt.Fprintln(w, optionsEnd)
}

// optionSchema is `config schema --json`: the declared options by adapter.
type optionSchema struct {
	Plugin      string            `json:"plugin"`
	Description string            `json:"description,omitempty"`
	Source      bool              `json:"source"`
	Sink        bool              `json:"sink"`
	Options     []adapters.Option `json:"options"`
}

func writeOptionSchemaJSON(w io.Writer) error {
	var out []optionSchema
	for _, r := range registrations() {
		opts := r.Options
		if opts == nil {
			opts = []adapters.Option{}
		}
		out = append(out, optionSchema{Plugin: r.Name, Description: r.Description, Source: r.NewSource != nil,
			Sink: r.NewSink != nil, Options: opts})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
