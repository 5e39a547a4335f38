package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// planningPath is the page that shows a slow plan's progress.
const planningPath = "/sync/planning"

// defaultPlanningWait: a plan ready this soon needs no progress page.
const defaultPlanningWait = time.Second

// planningCancelWait bounds how long Cancel waits for the listing to stop
// before the session starts again anyway (the planning then releases its
// sources when it ends).
const planningCancelWait = 10 * time.Second

func (s *Server) planningPatience() time.Duration {
	if s.planningWait > 0 {
		return s.planningWait
	}
	return defaultPlanningWait
}

// startPlanning computes wz's plan in the background, under a context of
// its own (Cancel ends it; so does the server's shutdown). sess.mu is held.
func (s *Server) startPlanning(sess *session, secrets map[string]string, wz *wizard) {
	ctx, cancel := context.WithCancel(s.runCtx)
	pl := newPlanning(cancel, secrets)
	wz.planning = pl
	user := sess.user
	go func() {
		defer cancel()
		pl.finish(s.planWizard(ctx, user, secrets, pl.progress))
	}()
}

// planningPendingLocked answers a wizard request while a plan is being
// computed: the progress page while it runs, what its end means once it
// is over. sess.mu is held.
func (s *Server) planningPendingLocked(w http.ResponseWriter, r *http.Request, sess *session) {
	select {
	case <-sess.wizard.planning.done:
		s.afterPlanningLocked(w, r, sess)
	default:
		if r.URL.Path == planningPath {
			s.renderPlanningLocked(w, sess)
			return
		}
		http.Redirect(w, r, planningPath, http.StatusSeeOther)
	}
}

// afterPlanningLocked takes the finished planning's result over and
// answers: the next step, the credentials form when a typed password was
// refused, or the areas step with the error. sess.mu is held.
func (s *Server) afterPlanningLocked(w http.ResponseWriter, r *http.Request, sess *session) {
	wz := sess.wizard
	pl := wz.planning
	wz.planning = nil
	res := pl.result
	if res.err == nil {
		wz.sync, wz.plan, wz.job, wz.releaseJob = res.run, res.run.Plan(), res.job, res.release
		next := wz.next(stepAreas)
		wz.reached = next
		redirectStep(w, r, next)
		return
	}
	wz.areas, wz.mark, sess.wizardAt = nil, "", ""
	if err := s.store.SetSessionWizard(r.Context(), sess.id, ""); err != nil {
		s.log.Warn("wizard mark not cleared", "user", sess.user, "error", err)
	}
	// The message may echo what a source was given: no typed password
	// reaches the log or the page.
	msg := Redact(res.err.Error(), pl.secrets)
	s.log.Error("planning failed", "user", sess.user, "error", msg)
	if s.dropRefusedLocked(r.Context(), sess, res.err, msg) {
		http.Redirect(w, r, credentialsPath, http.StatusSeeOther)
		return
	}
	s.renderStep(w, http.StatusBadGateway, sess, stepAreas, "The groupware could not be read: "+msg)
}

// planningView is the planning page's data.
type planningView struct {
	State planningState
}

func (s *Server) renderPlanningLocked(w http.ResponseWriter, sess *session) {
	v := s.viewLocked(sess, "Reading your groupware", planningView{State: sess.wizard.planning.state()})
	v.Nav = "sync"
	v.Steps = stepBar(sess.wizard, stepAreas)
	s.render(w, http.StatusOK, "planning.html", v)
}

// planningPage shows the plan's progress, or moves on once it is done.
func (s *Server) planningPage(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.wizard == nil || sess.wizard.planning == nil {
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
		return
	}
	s.planningPendingLocked(w, r, sess)
}

// planningEvents streams the planning's progress as server-sent events:
// "progress" on every change (which source, items so far, elapsed; at
// least every second, so the elapsed time moves), then "done".
func (s *Server) planningEvents(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	var pl *planning
	if sess.wizard != nil {
		pl = sess.wizard.planning
	}
	sess.mu.Unlock()
	if pl == nil {
		http.Error(w, "no planning in progress", http.StatusNotFound)
		return
	}
	ev, ok := s.openEventStream(w)
	if !ok {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := pl.changed()
		st := pl.state()
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
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// planningCancel stops the listing and starts the wizard again at the
// areas step, with nothing planned and the sources closed.
func (s *Server) planningCancel(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	wz := sess.wizard
	if wz == nil || wz.planning == nil {
		sess.mu.Unlock()
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
		return
	}
	pl := wz.planning
	pl.cancel()
	sess.mu.Unlock()
	select {
	case <-pl.done:
	case <-time.After(planningCancelWait):
		s.log.Warn("cancelled planning still listing; starting again without it", "user", sess.userName())
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.wizard == wz {
		sess.endWizardLocked() // releases the planning's sources
		sess.wizard = newWizard()
		sess.wizardAt = ""
		if err := s.store.SetSessionWizard(r.Context(), sess.id, ""); err != nil {
			s.log.Warn("wizard mark not cleared", "user", sess.user, "error", err)
		}
	}
	redirectStep(w, r, stepAreas)
}
