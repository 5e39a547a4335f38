package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/gwsync/gwsync/engine/state"
)

type statusJSON struct {
	User    string             `json:"user"`
	Cursors map[string]string  `json:"cursors"`
	Runs    []state.Run        `json:"runs"`
	Errors  []state.ItemResult `json:"errors"` // per-item errors of the latest finished run
}

func runStatus(ctx context.Context, args []string) error {
	fs, c := newFlagSet("status", "status [--user NAME] [--runs N] [--json]")
	user := fs.String("user", "", "only this user (default: every user)")
	n := fs.Int("runs", 5, "how many recent runs to show")
	asJSON := fs.Bool("json", false, "print JSON")
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
	var out []statusJSON
	for _, u := range list {
		s := statusJSON{User: u.Name}
		if s.Cursors, err = st.Cursors(ctx, u.Name); err != nil {
			return err
		}
		if s.Runs, err = st.Runs(ctx, u.Name, *n); err != nil {
			return err
		}
		s.Errors = []state.ItemResult{}
		for _, r := range s.Runs {
			if r.Finished.IsZero() {
				continue // a run still going, or killed: its journal is partial
			}
			items, err := st.RunItems(ctx, r.ID)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Outcome == "failed" {
					s.Errors = append(s.Errors, it)
				}
			}
			break
		}
		out = append(out, s)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, s := range out {
		fmt.Printf("%s\n", s.User)
		if len(s.Runs) == 0 {
			fmt.Println("  no runs yet")
		}
		for _, r := range s.Runs {
			end := "not finished (running, or killed)"
			if !r.Finished.IsZero() {
				end = r.Finished.Format("2006-01-02 15:04:05Z") + " " + r.Status
			}
			fmt.Printf("  run %d  %s → %s  %s\n", r.ID, r.Started.Format("2006-01-02 15:04:05Z"), end, formatCounts(r.Counts))
			if r.Error != "" {
				fmt.Printf("    error: %s\n", r.Error)
			}
		}
		for src, cur := range s.Cursors {
			fmt.Printf("  cursor %s: %s\n", src, clip(cur, 60))
		}
		for _, e := range s.Errors {
			fmt.Printf("  item error: %s %s: %s\n", e.Source, e.ItemID, e.Error)
		}
	}
	return nil
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
