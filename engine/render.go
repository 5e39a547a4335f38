package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the plan as indented JSON.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteTable writes the plan for a person: one line per action (a "-" in
// the first column marks a deselected one), then problems and a summary.
func (p *Plan) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Plan for %s\n", p.User)
	if len(p.Actions) > 0 {
		fmt.Fprintln(tw, "\tID\tAREA\tACTION\tTYPE\tSOURCE\tSUBJECT\tTIMES\tNOTE")
	}
	for _, a := range p.Actions {
		mark := "+"
		if !a.Selected {
			mark = "-"
		}
		kind := string(a.Kind)
		if a.Kind == ActConflict {
			res := string(a.Resolution)
			if res == "" {
				res = "manual"
			}
			kind += "→" + res
		}
		times := a.Raster.String()
		if !a.Before.IsZero() && a.Kind != ActLink {
			times = a.Before.String() + "  ⇒  " + times
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, a.ID, a.Area, kind, a.Type,
			a.Source, clip(a.Subject, 40), times, clip(a.Reason, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, pr := range p.Problems {
		item := pr.ItemID
		if item == "" {
			item = "(source)"
		}
		fmt.Fprintf(w, "problem: %s %s: %s\n", pr.Source, item, pr.Reason)
	}
	fmt.Fprintln(w, p.Summary())
	return nil
}

// Summary is a one-line count of the selected actions.
func (p *Plan) Summary() string {
	counts := p.Counts()
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds)+3)
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", counts[ActionKind(k)], k))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing to do")
	}
	desel := 0
	for _, a := range p.Actions {
		if !a.Selected {
			desel++
		}
	}
	s := strings.Join(parts, ", ")
	s += fmt.Sprintf("; %d unchanged", p.Unchanged)
	if desel > 0 {
		s += fmt.Sprintf(", %d deselected", desel)
	}
	if p.OutOfWindow > 0 {
		s += fmt.Sprintf(", %d outside the sync window", p.OutOfWindow)
	}
	if p.Excluded > 0 {
		s += fmt.Sprintf(", %d excluded (never-log list)", p.Excluded)
	}
	if len(p.Problems) > 0 {
		s += fmt.Sprintf(", %d problems", len(p.Problems))
	}
	return s
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
