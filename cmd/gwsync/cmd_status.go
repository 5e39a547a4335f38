package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/engine/runstatus"
	"github.com/gwsync/gwsync/engine/state"
)

func runStatus(ctx context.Context, args []string) error {
	fs, c := newFlagSet("status", "status [--user NAME] [--runs N] [--json] [--utc]")
	user := fs.String("user", "", "only this user (default: every user)")
	n := fs.Int("runs", 5, "how many recent runs to show")
	asJSON := fs.Bool("json", false, "print JSON (times in RFC 3339 with their offset)")
	utc := utcFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	list, err := users(cfg, *user)
	if err != nil {
		return err
	}
	st, err := openState(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	var out []runstatus.User
	var locs []*time.Location
	for _, cu := range list {
		s, err := runstatus.Read(ctx, st, cu.Name, *n)
		if err != nil {
			return err
		}
		u, err := effectiveUser(ctx, cfg, st, cu.Name)
		if err != nil {
			return err
		}
		out = append(out, s)
		locs = append(locs, userLocation(u, *utc))
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i, s := range out {
		printStatus(s, locs[i])
	}
	return nil
}

// printStatus prints one user's status: the recent runs (an idle entry
// covers a series of checks that found nothing to do), the cursors, and
// every outstanding failure with since when it fails.
func printStatus(s runstatus.User, loc *time.Location) {
	stamp := func(t time.Time) string { return stampIn(t, loc) }
	fmt.Printf("%s\n", termSafe(s.User))
	if len(s.Runs) == 0 {
		fmt.Println("  no runs yet")
	}
	for _, r := range s.Runs {
		switch {
		case r.Status == state.StatusIdle:
			fmt.Printf("  checked %s → %s: nothing to do (%d checks)\n", stamp(r.Started), stamp(r.Finished), r.Counts["checks"])
			continue
		case r.Finished.IsZero():
			fmt.Printf("  run %d  %s → not finished (running, or killed)  %s\n", r.ID, stamp(r.Started), formatCounts(r.Counts))
		default:
			fmt.Printf("  run %d  %s → %s %s  %s\n", r.ID, stamp(r.Started), stamp(r.Finished), r.Status, formatCounts(r.Counts))
		}
		if r.Error != "" {
			fmt.Printf("    error: %s\n", termSafe(r.Error))
		}
	}
	// In source order: the same state always prints the same status.
	for _, src := range slices.Sorted(maps.Keys(s.Cursors)) {
		fmt.Printf("  cursor %s: %s\n", termSafe(src), termSafe(clip(s.Cursors[src], 60)))
	}
	for _, f := range s.Outstanding {
		what := f.ItemID
		if what == "" {
			what = "(listing)"
		}
		fmt.Printf("  outstanding: %s %s: %s (%s since %s, attempts: %d)\n", termSafe(f.Source), termSafe(what),
			termSafe(f.Reason), f.Kind, stamp(f.FirstSeen), f.Attempts)
	}
	for _, c := range s.PreferenceChanges {
		fmt.Printf("  preference %s: %s → %s (by %s, %s)\n", termSafe(c.Key), termSafe(orDefault(c.Old)), termSafe(orDefault(c.New)),
			termSafe(c.By), stamp(c.At))
	}
}

// orDefault shows an empty journalled preference value: none stored, the
// config's applied.
func orDefault(v string) string {
	if v == "" {
		return "(default)"
	}
	return v
}

// formatCounts renders counts as "create=13 failed=1", sorted by name.
func formatCounts(c map[string]int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, c[k])
	}
	return strings.Join(parts, " ")
}
