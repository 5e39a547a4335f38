package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/engine/runstatus"
	"github.com/gwsync/gwsync/engine/state"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, sess *session) {
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
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
		if s.opts.Jobs != nil {
			var err error
			if next, err = s.nextRunFromJobs(r.Context(), user); err != nil {
				p.Error = "The job queue could not be read: " + err.Error()
			}
		}
		switch {
		case s.opts.Jobs != nil && len(u.Logins) > 0:
			p.Next = "never: the password of " + loginsText(u.Logins) + " is not in the config, so only a run you start here can sync"
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
