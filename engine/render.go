package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// WriteJSON writes the plan as indented JSON.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// TableWidth is the width WriteTable fits the plan into.
const TableWidth = 100

// Symbols of the plan table, one per kind of row (terraform's, where it
// has one).
const (
	SymCreate   = "+" // a new CRM activity, or a new groupware event (export)
	SymChange   = "~" // new times, to the CRM or to the groupware
	SymConflict = "!" // both sides changed; the note says which wins
	SymLink     = "=" // both exist already: only the link is recorded
	SymDeleted  = "-" // deleted on one side: reported, never propagated
	SymReport   = "." // any other report (duplicate, private, cannot be written): nothing written
)

// tableLegend explains the symbols below the table's header.
const tableLegend = "+ create  ~ time change  ! conflict  = link  - deleted (reported)  . report  (x) deselected\n" +
	"→ CRM: from the source to the CRM  ← CRM: from the CRM to the source  ↔ CRM: undecided"

// WriteTable writes the plan for a person, fitted into TableWidth columns
// (long subjects cut with …): one row per action, then problems and a
// summary line.
func (p *Plan) WriteTable(w io.Writer) error { return p.WriteTableWidth(w, TableWidth) }

// WriteTableWidth is WriteTable fitted into width columns; 0 cuts
// nothing (gwsync plan --wide).
//
// Each row: the symbol (in parentheses when deselected), the action id
// for --exclude, the activity type, the flow (source → CRM, source ← CRM),
// the subject and the times. A time change or conflict has a second line
// with the times it replaces; a row with a note (a report's reason, a
// conflict's decision) has one with the note.
func (p *Plan) WriteTableWidth(w io.Writer, width int) error {
	return p.WriteTableIn(w, width, time.UTC)
}

// WriteTableIn is WriteTableWidth with the times in loc (the user's time
// zone; the command line's --utc passes UTC), each with its zone.
func (p *Plan) WriteTableIn(w io.Writer, width int, loc *time.Location) error {
	tw := &errWriter{w: w}
	tw.printf("Plan for %s\n", p.User)
	if len(p.Actions) > 0 {
		p.writeRows(tw, width, loc)
	}
	for _, pr := range p.Problems {
		item := pr.ItemID
		if item == "" {
			item = "(source)"
		}
		tw.printf("problem: %s %s: %s\n", pr.Source, item, pr.Reason)
	}
	tw.printf("%s\n", wrap(p.SummaryLine(), width))
	return tw.err
}

type tableRow struct {
	group string    // rows are grouped under their source and area
	cells [5]string // symbol, id, type, flow, subject
	times string
	was   string // the times replaced, for changes and conflicts
	note  string
}

func (p *Plan) writeRows(tw *errWriter, width int, loc *time.Location) {
	header := tableRow{cells: [5]string{"", "ID", "TYPE", "FLOW", "SUBJECT"}, times: "TIMES"}
	rows := []tableRow{header}
	for _, a := range p.Actions {
		rows = append(rows, rowOf(a, width, loc))
	}
	// Column widths: every column but the subject as wide as its widest
	// cell; the subject gets what is left of width, at least 16.
	var col [5]int
	timesW := 0
	for _, r := range rows {
		for i, c := range r.cells {
			col[i] = max(col[i], runeLen(c))
		}
		timesW = max(timesW, runeLen(r.times), runeLen(r.was))
	}
	const gap = 2
	if width > 0 {
		fixed := col[0] + col[1] + col[2] + col[3] + 4*gap + gap + timesW
		col[4] = min(col[4], max(16, width-fixed))
	}
	subjectAt := col[0] + col[1] + col[2] + col[3] + 4*gap
	line := func(cells [5]string, times string) string {
		var b strings.Builder
		for i, c := range cells {
			if i == 4 {
				c = clip(c, col[4])
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", col[i]-runeLen(c)+gap))
		}
		b.WriteString(times)
		return strings.TrimRight(b.String(), " ")
	}
	tw.printf("%s\n\n", tableLegend)
	group := "\x00"
	for i, r := range rows {
		if i > 0 && r.group != group {
			group = r.group
			heading := group
			if width > 0 {
				heading = clip(heading, width-1)
			}
			tw.printf("%s:\n", heading)
		}
		tw.printf("%s\n", line(r.cells, r.times))
		if i == 0 {
			continue
		}
		if r.was != "" {
			tw.printf("%s\n", line([5]string{}, r.was))
		}
		if r.note != "" {
			note := r.note
			if width > 0 {
				note = clip(note, max(16, width-subjectAt))
			}
			tw.printf("%s%s\n", strings.Repeat(" ", subjectAt), note)
		}
	}
	tw.printf("\n")
}

// wrap breaks s into lines of at most width columns at spaces (0: one
// line).
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out, line []string
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+1+runeLen(w) > width {
			out = append(out, strings.Join(line, " "))
			line, n = nil, 0
		}
		if n > 0 {
			n++
		}
		line, n = append(line, w), n+runeLen(w)
	}
	return strings.Join(append(out, strings.Join(line, " ")), "\n")
}

// rowOf lays out one action.
func rowOf(a *Action, width int, loc *time.Location) tableRow {
	sym, note := symbolOf(a), a.Reason
	if !a.Selected {
		sym = "(" + sym + ")"
		note = strings.TrimPrefix(note+"; deselected", "; ")
	}
	var flow string // from the source (the group's heading) to the CRM, or back
	switch dir := a.Effective(); {
	case a.Kind == ActConflict && dir == "":
		flow = "↔ CRM"
	case dir == ActCreate || dir == ActUpdateCRM:
		flow = "→ CRM"
	case dir == ActExport || dir == ActUpdateGroupware:
		flow = "← CRM"
	case dir == ActLink:
		flow = "= CRM"
	}
	if a.Kind == ActConflict {
		switch a.Resolution {
		case ActUpdateCRM:
			note = "both sides changed: the groupware's times win"
		case ActUpdateGroupware:
			note = "both sides changed: the CRM's times win"
		default:
			note = "both sides changed: nothing is written until one side is changed again (policy manual)"
		}
		if !a.Selected {
			note += "; deselected"
		}
	}
	typ := string(a.Type)
	if typ == "" {
		typ = "?"
	}
	r := tableRow{group: a.Source + " (" + string(a.Area) + ")", cells: [5]string{sym, a.ID, typ, flow, a.Subject}, times: shortRaster(a.Raster, loc), note: note}
	if !a.Before.IsZero() && a.Kind != ActLink {
		r.was = "was " + shortRaster(a.Before, loc)
	}
	return r
}

// symbolOf is the table's symbol for an action.
func symbolOf(a *Action) string {
	switch a.Kind {
	case ActCreate, ActExport:
		return SymCreate
	case ActUpdateCRM, ActUpdateGroupware:
		return SymChange
	case ActConflict:
		return SymConflict
	case ActLink:
		return SymLink
	}
	if !a.IsReport() {
		return SymLink // a skip that records that both sides agree again
	}
	if isDeletionReport(a) {
		return SymDeleted
	}
	return SymReport
}

// isDeletionReport tells the reports of an item or activity deleted on
// one side (planner.go and deletions.go word them all this way).
func isDeletionReport(a *Action) bool {
	return a.IsReport() && strings.Contains(a.Reason, "deletions are not propagated")
}

// shortRaster is a raster in at most about 31 columns: the date once when
// start and end share it, in loc: "Z" marks UTC, another zone its
// abbreviation ("CET"). All-day dates are dates, in no zone.
func shortRaster(r adapters.Raster, loc *time.Location) string {
	if r.IsZero() {
		return "-"
	}
	if loc == nil || r.AllDay {
		loc = time.UTC
	}
	r.Start, r.End, r.Due = inLoc(r.Start, loc), inLoc(r.End, loc), inLoc(r.Due, loc)
	day, clock := "2006-01-02", "2006-01-02 15:04"
	if r.AllDay {
		clock = day
	}
	full := func(t time.Time) string { return t.Format(clock) }
	// rest writes t after a first time: without what it shares with it.
	rest := func(first, t time.Time) string {
		f := first
		switch {
		case r.AllDay && f.Year() == t.Year():
			return t.Format("01-02")
		case r.AllDay:
			return t.Format(day)
		case f.Format(day) == t.Format(day):
			return t.Format("15:04")
		case f.Year() == t.Year():
			return t.Format("01-02 15:04")
		}
		return t.Format(clock)
	}
	zone := "Z"
	if loc != time.UTC {
		zone = " " + zoneName(r)
	}
	if r.AllDay {
		zone = " all-day"
	}
	var s string
	switch {
	case !r.Start.IsZero() && !r.End.IsZero():
		sep := " → "
		if !r.AllDay && r.Start.Format(day) == r.End.Format(day) {
			sep = "–"
		}
		s = full(r.Start) + sep + rest(r.Start, r.End)
	case !r.Start.IsZero() && !r.Due.IsZero():
		s = full(r.Start) + " → due " + rest(r.Start, r.Due)
	case !r.Start.IsZero():
		s = full(r.Start)
	case !r.Due.IsZero():
		s = "due " + full(r.Due)
	case !r.End.IsZero():
		s = "ends " + full(r.End)
	}
	return s + zone
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
	s := strings.Join(parts, ", ")
	s += fmt.Sprintf("; %d unchanged", p.Unchanged)
	return s + p.aside()
}

// aside is the tail of both summaries: what is left alone.
func (p *Plan) aside() string {
	desel := 0
	for _, a := range p.Actions {
		if !a.Selected {
			desel++
		}
	}
	var s string
	if desel > 0 {
		s += fmt.Sprintf(", %d deselected", desel)
	}
	if p.OutOfWindow > 0 {
		s += fmt.Sprintf(", %d outside the sync window", p.OutOfWindow)
	}
	if p.Excluded > 0 {
		s += fmt.Sprintf(", %d excluded (never-log list)", p.Excluded)
	}
	switch n := len(p.Problems); {
	case n == 1:
		s += ", 1 problem"
	case n > 1:
		s += fmt.Sprintf(", %d problems", n)
	}
	return s
}

// SummaryLine is the table's last line, in the words of the symbols:
// "Plan: 3 to create, 2 time changes (1 to the CRM, 1 to groupware), ...".
// Deselected actions are counted apart.
func (p *Plan) SummaryLine() string {
	var create, export, toCRM, toGW, conflicts, links, deleted, reports int
	create = p.StreamedCreates()
	for _, a := range p.Actions {
		if !a.Selected {
			continue
		}
		switch symbolOf(a) {
		case SymCreate:
			if a.Kind == ActExport {
				export++
			} else {
				create++
			}
		case SymChange:
			if a.Kind == ActUpdateCRM {
				toCRM++
			} else {
				toGW++
			}
		case SymConflict:
			conflicts++
		case SymLink:
			links++
		case SymDeleted:
			deleted++
		default:
			reports++
		}
	}
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(create, "to create", "to create")
	add(export, "to export", "to export")
	if changes := toCRM + toGW; changes > 0 {
		s := fmt.Sprintf("%d time change", changes)
		if changes > 1 {
			s += "s"
		}
		parts = append(parts, fmt.Sprintf("%s (%d to the CRM, %d to groupware)", s, toCRM, toGW))
	}
	add(conflicts, "conflict", "conflicts")
	add(links, "to link", "to link")
	add(deleted, "deletion reported", "deletions reported")
	add(reports, "other report", "other reports")
	if len(parts) == 0 {
		parts = append(parts, "nothing to do")
	}
	return "Plan: " + strings.Join(parts, ", ") + fmt.Sprintf("; %d unchanged", p.Unchanged) + p.aside() + "."
}

// errWriter keeps the first write error, so that the table is written
// without an error check per line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func runeLen(s string) int { return len([]rune(s)) }

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// inLoc is t in loc; the zero time stays zero.
func inLoc(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// zoneName is the abbreviation of the raster's first time's zone.
func zoneName(r adapters.Raster) string {
	for _, t := range []time.Time{r.Start, r.Due, r.End} {
		if !t.IsZero() {
			name, _ := t.Zone()
			return name
		}
	}
	return ""
}
