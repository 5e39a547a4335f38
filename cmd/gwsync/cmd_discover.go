package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
)

// discovered is what one source offers, the shape of `discover --json`.
type discovered struct {
	User   string           `json:"user"`
	Source string           `json:"source"`
	Plugin string           `json:"plugin"`
	Offers []adapters.Offer `json:"offers"`
	Error  string           `json:"error,omitempty"`
	// Note says why a source offers nothing to choose from (an adapter
	// without discovery, like files): not a problem.
	Note string `json:"note,omitempty"`
}

// errNoDiscovery marks a source whose adapter has nothing to discover.
type errNoDiscovery struct{ msg string }

func (e errNoDiscovery) Error() string { return e.msg }

// runDiscover is `gwsync discover`: it connects to each source's server
// and lists what it offers (calendars, task lists, folders with message
// counts), with the options that select them ready to paste. Built-in
// adapters run in process here: discovery is not on the plugin wire.
func runDiscover(ctx context.Context, args []string) error {
	fs, c := newFlagSet("discover", "discover [--user NAME] [--source NAME] [--json]\n\n"+
		"Lists what each source's server offers: CalDAV calendars and task lists\n"+
		"(display name, path, component types), IMAP folders (message count,\n"+
		"special use), so that calendars, task_lists and folders need no guessing.\n"+
		"Exit codes: 0 done; 1 failed; 2 usage error; 3 a source could not be asked.")
	user := fs.String("user", "", "only this user's sources (default: every user's)")
	source := fs.String("source", "", "only the source of this `name`")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	list, err := users(cfg, *user)
	if err != nil {
		return err
	}
	var out []discovered
	found := false
	for _, u := range list {
		var want []config.Plugin
		for _, s := range u.Sources {
			if *source == "" || s.Name == *source {
				want = append(want, s)
			}
		}
		if len(want) == 0 {
			continue
		}
		found = true
		secrets, err := askSourcePasswords(u.Name, want)
		if err != nil {
			return err
		}
		op := &opener{cfg: cfg, logger: logger, secrets: secrets}
		for _, s := range want {
			d := discovered{User: u.Name, Source: s.Name, Plugin: s.Plugin, Offers: []adapters.Offer{}}
			offers, err := discoverSource(ctx, op, s, u.TimeZone)
			var none errNoDiscovery
			if errors.As(err, &none) {
				d.Note = none.msg
			} else if err != nil {
				d.Error = err.Error()
			} else {
				d.Offers = offers
			}
			out = append(out, d)
		}
	}
	if *source != "" && !found {
		return usageError{fmt.Sprintf("discover: no source named %q", *source)}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		writeDiscovered(os.Stdout, out)
	}
	for _, d := range out {
		if d.Error != "" {
			return exitCodeError{code: exitPartial}
		}
	}
	return nil
}

// discoverSource builds the source in process and asks it.
func discoverSource(ctx context.Context, op *opener, p config.Plugin, tz string) ([]adapters.Offer, error) {
	if _, builtin := adapters.Lookup(p.Plugin); !builtin {
		return nil, errNoDiscovery{"an external plugin cannot be asked what it offers"}
	}
	merged, _, err := op.withSecret(p)
	if err != nil {
		return nil, err
	}
	src, err := adapters.NewSource(merged.Plugin, op.adapterConfig(merged, tz))
	if err != nil {
		return nil, op.explain(p, err)
	}
	defer src.Close()
	d, ok := src.(adapters.Discoverer)
	if !ok {
		return nil, errNoDiscovery{"the " + p.Plugin + " adapter has nothing to choose from on a server"}
	}
	offers, err := d.Discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, credentials.RedactError(err, op.redacted(merged)...))
	}
	return offers, nil
}

// askSourcePasswords asks on a terminal for the password of each source
// that needs one (see askPasswords); off a terminal it asks nothing.
func askSourcePasswords(user string, sources []config.Plugin) (map[string]string, error) {
	u := &config.User{Name: user, Sources: sources}
	return askPasswords(u, nil)
}

// writeDiscovered prints the offers per source, then the options that
// select them, as YAML to paste under the source's options.
func writeDiscovered(w io.Writer, all []discovered) {
	for i, d := range all {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s / %s (%s):\n", termSafe(d.User), termSafe(d.Source), d.Plugin)
		if d.Error != "" {
			fmt.Fprintf(w, "  problem: %s\n", termSafe(d.Error))
			continue
		}
		if d.Note != "" {
			fmt.Fprintf(w, "  (%s)\n", d.Note)
			continue
		}
		if len(d.Offers) == 0 {
			fmt.Fprintln(w, "  (nothing offered)")
			continue
		}
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  WHAT\tNAME\tPATH\tCOMPONENTS\tMESSAGES\tUSE")
		for _, o := range d.Offers {
			count := ""
			if o.Messages >= 0 {
				count = fmt.Sprint(o.Messages)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", o.What, termSafe(o.Name), termSafe(o.Path),
				strings.Join(o.Components, ","), count, o.SpecialUse)
		}
		tw.Flush()
		for _, line := range strings.Split(strings.TrimRight(table.String(), "\n"), "\n") {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		fmt.Fprintf(w, "  To read only some, keep those under the source's options:\n")
		for _, line := range strings.Split(strings.TrimRight(offerYAML(d.Offers), "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// offerYAML is the options block selecting every offer, grouped by option,
// with each item's display name as a comment.
func offerYAML(offers []adapters.Offer) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, o := range offers {
		if seen[o.Option] {
			continue
		}
		seen[o.Option] = true
		fmt.Fprintf(&b, "%s:\n", o.Option)
		for _, p := range offers {
			if p.Option != o.Option {
				continue
			}
			q, _ := json.Marshal(p.Path) // a JSON string is a YAML string
			line := "  - " + termSafe(string(q))
			if p.Name != "" && p.Name != p.Path {
				line += "  # " + termSafe(strings.Join(strings.Fields(p.Name), " "))
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
