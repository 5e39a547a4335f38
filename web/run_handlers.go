package web

import (
	"encoding/json"
	"net/http"

	"github.com/gwsync/gwsync/engine"
)

// runPage is the progress page, then the summary.
type runPage struct {
	State   runState
	Done    bool
	Status  string
	RunID   int64
	Failure string // the run itself failed
	Counts  []countView
	Errors  []errorRow
	// MoreErrors are failed items not listed (a job's output is bounded);
	// the Status page lists every outstanding one.
	MoreErrors int
}

type countView struct {
	Label string
	N     int
}

type errorRow struct {
	Subject string
	Item    string
	Action  string
	Reason  string
}

func (s *Server) runPage(r *run) runPage {
	p := runPage{State: r.state()}
	res, err, finished := r.outcome()
	if !finished {
		return p
	}
	return summaryPage(p, res, err, r.subjects)
}

// summaryPage fills p with a finished run's summary: err is the run's own
// failure, subjects name actions whose outcome has no subject.
func summaryPage(p runPage, res *engine.Result, err error, subjects map[string]string) runPage {
	p.Done = true
	if err != nil {
		p.Failure = err.Error()
		p.Status = "failed"
	}
	if res == nil {
		return p
	}
	p.Status, p.RunID = res.Status, res.RunID
	c := res.Counts
	p.Counts = []countView{
		{"Created", c[string(engine.ActCreate)]},
		{"Updated", c[string(engine.ActUpdateCRM)] + c[string(engine.ActUpdateGroupware)] + c[string(engine.ActLink)]},
		{"Exported", c[string(engine.ActExport)]},
		{"Skipped", c[engine.OutcomeSkipped]},
		{"Errors", c[engine.OutcomeFailed]},
	}
	for _, it := range res.Items {
		if it.Outcome != engine.OutcomeFailed {
			continue
		}
		subj := it.Subject
		if subj == "" {
			subj = subjects[it.ActionID]
		}
		p.Errors = append(p.Errors, errorRow{Subject: orDash(subj), Item: firstOf(it.ItemID, it.ActivityID),
			Action: string(it.Kind), Reason: it.Error})
	}
	return p
}

// runEvents streams the wizard run's progress as server-sent events:
// "progress" with the phase and counts on every change, then "done". The
// stream ends when the run is over, the browser leaves, or the server
// shuts down.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	if id, ok := sess.followedJobLocked(); ok {
		sess.mu.Unlock()
		s.jobEvents(w, r, sess, id)
		return
	}
	var rn *run
	if sess.wizard != nil {
		rn = sess.wizard.run
	}
	sess.mu.Unlock()
	if rn == nil {
		http.Error(w, "no run in progress", http.StatusNotFound)
		return
	}
	ev, ok := s.openEventStream(w)
	if !ok {
		return
	}
	for {
		changed := rn.changed() // before reading the state, so no update is missed
		st := rn.state()
		data, _ := json.Marshal(st)
		if !ev.progress(data) {
			return
		}
		if st.Finished {
			ev.done()
			return
		}
		ev.flush()
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return "–"
}
