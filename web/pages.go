package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/runstatus"
	"github.com/gwsync/gwsync/engine/state"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, sess *session) {
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
}

type activitiesPage struct {
	Filter  string
	Filters []string
	Rows    []activityRow
	Error   string
}

type activityRow struct {
	Type     string
	Subject  string
	When     string
	Contacts string
	Source   string
}

// activityFilters are the types the activities page filters by (FOLLOWUP
// is legacy and never created, so it is not offered).
var activityFilters = []string{"MAILIN", "TASK", "APPOINTMENT", "MEETING"}

// activities lists the user's activities in the CRM, newest first,
// optionally of one type (?type=MAILIN).
func (s *Server) activities(w http.ResponseWriter, r *http.Request, sess *session) {
	user := sess.userName()
	p := activitiesPage{Filter: strings.ToUpper(r.URL.Query().Get("type")), Filters: activityFilters}
	q := adapters.ActivityQuery{Owner: user}
	status := http.StatusOK
	if p.Filter != "" {
		if !adapters.ActivityType(p.Filter).Valid() {
			p.Error = "Unknown activity type " + p.Filter + "."
			status = http.StatusBadRequest
		} else {
			q.Types = []adapters.ActivityType{adapters.ActivityType(p.Filter)}
		}
	}
	var list []adapters.Activity
	if p.Error == "" {
		if _, err := s.opts.CRM.ListActivities(r.Context(), q, func(a adapters.Activity) error {
			list = append(list, a)
			return nil
		}); err != nil {
			p.Error = "The CRM could not be read: " + err.Error()
			status = http.StatusBadGateway
			list = nil
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		ai, aj := list[i].Raster.Anchor(), list[j].Raster.Anchor()
		if !ai.Equal(aj) {
			return ai.After(aj)
		}
		return list[i].Subject < list[j].Subject
	})
	loc := s.location(user)
	for _, a := range list {
		p.Rows = append(p.Rows, activityRow{Type: string(a.Type), Subject: orDash(a.Subject),
			When: formatWhen(a.Raster, time.Time{}, loc), Contacts: orDash(strings.Join(a.Contacts, ", ")), Source: orDash(a.Source)})
	}
	v := s.view(sess, "Imported activities", p)
	v.Nav = "activities"
	s.render(w, status, "activities.html", v)
}

type statusPage struct {
	Automatic bool
	Interval  string
	Next      string
	LastError string
	// LastRun is the newest finished run that did something (or failed),
	// LastCheck the newest check of any kind; "" when none.
	LastRun   string
	LastCheck string
	Runs      []runRow
	// Errors are the outstanding failures (runstatus.User.Outstanding).
	Errors []errorRow
	Error  string
	// PreferenceChanges are the latest changes of the user's own
	// preferences (runstatus.User.PreferenceChanges).
	PreferenceChanges []preferenceChangeRow
}

type preferenceChangeRow struct{ At, By, Key, Old, New string }

type runRow struct {
	ID       int64
	Started  string
	Finished string
	Status   string
	Counts   string
	Error    string
}

// status shows the user's last runs, the next scheduled run and the
// per-item errors of the last run.
func (s *Server) status(w http.ResponseWriter, r *http.Request, sess *session) {
	user := sess.userName()
	u := s.effectiveUser(r.Context(), user)
	loc := s.location(user)
	p := statusPage{Automatic: u.Automatic && s.opts.Interval > 0}
	if p.Automatic {
		p.Interval = s.opts.Interval.String()
		next, lastErr := s.sched.get(user)
		p.LastError = lastErr
		switch {
		case next.IsZero():
			p.Next = "not scheduled yet"
		case !next.After(time.Now()):
			p.Next = "now"
		default:
			p.Next = next.In(loc).Format("Mon 2 Jan 2006, 15:04:05")
		}
	}
	st, err := runstatus.Read(r.Context(), s.opts.State, user, 10)
	if err != nil {
		p.Error = "The run journal could not be read: " + err.Error()
	}
	for _, rn := range st.Runs {
		p.Runs = append(p.Runs, runRowOf(rn, loc))
	}
	if st.LastRun != nil {
		p.LastRun = st.LastRun.Started.In(loc).Format("2 Jan 2006 15:04:05") + " (" + st.LastRun.Status + ")"
	}
	if st.LastCheck != nil {
		p.LastCheck = st.LastCheck.Finished.In(loc).Format("2 Jan 2006 15:04:05")
	}
	for _, f := range st.Outstanding {
		since := fmt.Sprintf("%s since %s (attempts: %d)", f.Kind, f.FirstSeen.In(loc).Format("2 Jan 2006 15:04"), f.Attempts)
		p.Errors = append(p.Errors, errorRow{Item: orDash(f.ItemID), Subject: orDash(f.Source), Action: since, Reason: f.Reason})
	}
	for _, c := range st.PreferenceChanges {
		p.PreferenceChanges = append(p.PreferenceChanges, preferenceChangeRow{At: c.At.In(loc).Format("2 Jan 2006 15:04:05"),
			By: c.By, Key: c.Key, Old: orDefault(c.Old), New: orDefault(c.New)})
	}
	v := s.view(sess, "Status", p)
	v.Nav = "status"
	s.render(w, http.StatusOK, "status.html", v)
}

func runRowOf(rn state.Run, loc *time.Location) runRow {
	row := runRow{ID: rn.ID, Started: rn.Started.In(loc).Format("2 Jan 2006 15:04:05"), Status: rn.Status, Error: rn.Error}
	if !rn.Finished.IsZero() {
		row.Finished = rn.Finished.In(loc).Format("15:04:05")
	}
	keys := make([]string, 0, len(rn.Counts))
	for k := range rn.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+strconv.Itoa(rn.Counts[k]))
	}
	row.Counts = orDash(strings.Join(parts, ", "))
	return row
}
