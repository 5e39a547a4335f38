package web

import (
	"context"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
)

// candidateRow is one line of a dataset step.
type candidateRow struct {
	ID       string
	Subject  string
	From     string
	When     string
	Type     string
	Action   string
	Selected bool
	Reason   string
}

// location returns the user's zone for showing times; UTC when unknown.
func (s *Server) location(user string) *time.Location {
	if tz := s.effectiveUser(context.Background(), user).TimeZone; tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.UTC
}

func candidateRows(list []*engine.Action, deselected map[string]bool, loc *time.Location) []candidateRow {
	rows := make([]candidateRow, 0, len(list))
	for _, a := range list {
		var sent time.Time
		if it := a.Item(); it != nil {
			sent = it.Date
		}
		rows = append(rows, candidateRow{ID: a.ID, Subject: orDash(a.Subject), From: orDash(a.From),
			When: formatWhen(a.Raster, sent, loc), Type: string(a.Type), Action: actionLabel(a),
			Selected: !deselected[a.ID], Reason: a.Reason})
	}
	return rows
}

// actionLabel says in words what executing the action does.
func actionLabel(a *engine.Action) string {
	switch a.Effective() {
	case engine.ActCreate:
		return "import"
	case engine.ActLink:
		return "link to existing activity"
	case engine.ActUpdateCRM:
		return "update times in CRM"
	case engine.ActUpdateGroupware:
		return "update times in groupware"
	case engine.ActExport:
		return "export to groupware"
	}
	return string(a.Kind)
}

// formatWhen renders a raster in the user's zone; a message shows the date
// it was sent.
func formatWhen(r adapters.Raster, sent time.Time, loc *time.Location) string {
	day := func(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006") }
	at := func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006, 15:04") }
	switch {
	case r.IsZero() && !sent.IsZero():
		return at(sent)
	case r.IsZero():
		return "–"
	case r.AllDay:
		end := r.End
		if !end.IsZero() {
			end = end.AddDate(0, 0, -1) // iCalendar's end is exclusive
		}
		if end.IsZero() || !end.After(r.Start) {
			return day(r.Start) + " (all day)"
		}
		return day(r.Start) + " – " + day(end) + " (all day)"
	case !r.Start.IsZero() && !r.End.IsZero():
		s, e := r.Start.In(loc), r.End.In(loc)
		if s.Format("20060102") == e.Format("20060102") {
			return at(r.Start) + " – " + e.Format("15:04")
		}
		return at(r.Start) + " – " + at(r.End)
	case !r.Due.IsZero():
		return "due " + at(r.Due)
	case !r.Start.IsZero():
		return at(r.Start)
	}
	return at(r.End)
}

func orDash(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "–"
	}
	return s
}
