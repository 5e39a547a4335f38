package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// areaChoice is one of the area buttons of the first step.
type areaChoice struct {
	Area    engine.Area
	Title   string
	Hint    string
	Checked bool
}

var areaTexts = map[engine.Area][2]string{
	engine.AreaEmails:       {"Emails", "E-mails become MAILIN activities"},
	engine.AreaTasks:        {"Tasks", "Tasks become TASK activities"},
	engine.AreaAppointments: {"Appointments", "Events become APPOINTMENT or MEETING activities"},
	engine.AreaResync:       {"Synchronize previously imported items", "Only the times of items imported before change"},
}

type areasPage struct {
	Choices []areaChoice
	Error   string
}

type executePage struct {
	Error    string
	Counts   []areaCount
	Writes   int
	Problems []engine.Problem
}

type areaCount struct {
	Title string
	N     int
}

// offeredAreas are the areas the user may pick: those of the config, and
// never resync for an automatic user (the scheduler does it for them).
func (s *Server) offeredAreas(user string) []engine.Area {
	u := s.effectiveUser(context.Background(), user)
	have := u.Areas
	if len(have) == 0 {
		have = engine.Areas
	}
	var out []engine.Area
	for _, a := range engine.Areas {
		if a == engine.AreaResync && u.Automatic {
			continue
		}
		for _, h := range have {
			if h == a {
				out = append(out, a)
			}
		}
	}
	return out
}

// wizardCurrent sends the user to the step the wizard run is at.
func (s *Server) wizardCurrent(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.followJob(w, r, sess) {
		return
	}
	sess.mu.Lock()
	if sess.wizardElsewhereLocked() {
		s.renderElsewhereLocked(w, sess)
		sess.mu.Unlock()
		return
	}
	cur := stepAreas
	if sess.wizard != nil {
		if sess.wizard.planning != nil {
			s.planningPendingLocked(w, r, sess)
			sess.mu.Unlock()
			return
		}
		cur = sess.wizard.current()
	}
	need := sess.wizard == nil || sess.wizard.run == nil
	if need && s.needCredentialsLocked(w, r, sess) {
		sess.mu.Unlock()
		return
	}
	sess.mu.Unlock()
	redirectStep(w, r, cur)
}

func redirectStep(w http.ResponseWriter, r *http.Request, st step) {
	http.Redirect(w, r, "/sync/"+steps[st].name, http.StatusSeeOther)
}

// wizardRestart drops the wizard run (and its plan) and starts a new one,
// also when the old one lives on another replica: the store then names no
// run, and that replica drops its own at the session's next request there.
// A run still executing goes on and releases its sources itself.
func (s *Server) wizardRestart(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if err := s.store.SetSessionWizard(r.Context(), sess.id, ""); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	sess.wizardAt = ""
	sess.endWizardLocked()
	sess.wizard = newWizard()
	redirectStep(w, r, stepAreas)
}

// renderElsewhereLocked answers a wizard request for a review this
// replica does not hold: 409 with a page that offers to start again, never
// an error of the server. sess.mu is held.
func (s *Server) renderElsewhereLocked(w http.ResponseWriter, sess *session) {
	v := s.viewLocked(sess, "Your review is on another server", nil)
	v.Nav = "sync"
	s.render(w, http.StatusConflict, "elsewhere.html", v)
}

func (s *Server) wizardStep(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.followJob(w, r, sess) {
		return
	}
	st, wz, ok := s.lockStep(w, r, sess)
	if !ok {
		return
	}
	defer sess.mu.Unlock()
	if !wz.allowed(st) {
		redirectStep(w, r, wz.current())
		return
	}
	s.renderStepQuery(w, http.StatusOK, sess, st, "", datasetQuery(r))
}

// lockStep finds the request's step and locks sess, giving it a wizard if
// it has none. ok false: the answer is written (no such step, or the
// credentials form) and sess is not locked.
func (s *Server) lockStep(w http.ResponseWriter, r *http.Request, sess *session) (step, *wizard, bool) {
	st, ok := stepByName(r.PathValue("step"))
	if !ok {
		http.NotFound(w, r)
		return 0, nil, false
	}
	sess.mu.Lock()
	if sess.wizardElsewhereLocked() {
		s.renderElsewhereLocked(w, sess)
		sess.mu.Unlock()
		return 0, nil, false
	}
	if sess.wizard == nil {
		sess.wizard = newWizard()
	}
	wz := sess.wizard
	if wz.planning != nil {
		s.planningPendingLocked(w, r, sess)
		sess.mu.Unlock()
		return 0, nil, false
	}
	if wz.run == nil && s.needCredentialsLocked(w, r, sess) {
		sess.mu.Unlock()
		return 0, nil, false
	}
	return st, wz, true
}

// renderStep shows step st; sess.mu is held.
func (s *Server) renderStep(w http.ResponseWriter, status int, sess *session, st step, errMsg string) {
	s.renderStepQuery(w, status, sess, st, errMsg, listQuery{Sort: sortNewest, Page: 1})
}

// renderStepQuery is renderStep with the list view of a dataset step.
func (s *Server) renderStepQuery(w http.ResponseWriter, status int, sess *session, st step, errMsg string, query listQuery) {
	wz := sess.wizard
	loc := s.location(sess.user)
	var page any
	tmpl := "step_dataset.html"
	switch st {
	case stepAreas:
		tmpl = "step_areas.html"
		p := areasPage{Error: errMsg}
		for _, a := range s.offeredAreas(sess.user) {
			checked := wz.chose(a) || wz.plan == nil && len(wz.areas) == 0
			p.Choices = append(p.Choices, areaChoice{Area: a, Title: areaTexts[a][0], Hint: areaTexts[a][1], Checked: checked})
		}
		page = p
	case stepEmails, stepTasks, stepAppointments:
		page = datasetView(wz, st, query, loc)
	case stepExecute:
		tmpl = "step_execute.html"
		p := executePage{Error: errMsg, Problems: wz.plan.Problems}
		for _, a := range wz.areas {
			n := wz.selectedIn(a)
			p.Counts = append(p.Counts, areaCount{Title: areaTexts[a][0], N: n})
			p.Writes += n
		}
		page = p
	case stepRun:
		tmpl = "step_run.html"
		page = s.runPage(wz.run)
	}
	v := s.viewLocked(sess, steps[st].title, page)
	v.Nav = "sync"
	v.Steps = stepBar(wz, st)
	s.render(w, status, tmpl, v)
}

// viewLocked is view for a session whose mu is held.
func (s *Server) viewLocked(sess *session, title string, page any) view {
	return view{Title: title, User: sess.user, CSRF: sess.csrf, Automatic: s.effectiveUser(context.Background(), sess.user).Automatic,
		Preferences: s.opts.Preferences != nil, Page: page}
}

func stepBar(wz *wizard, cur step) []stepView {
	var out []stepView
	for i, info := range steps {
		st := step(i)
		sv := stepView{Num: i + 1, Title: info.title, State: "todo"}
		switch {
		case st == cur:
			sv.State = "current"
		case wz.plan != nil && wz.skipped(st):
			sv.State = "skipped"
		case st < cur:
			sv.State = "done"
		}
		out = append(out, sv)
	}
	return out
}

// wizardSubmit handles the form of a step: it saves what the step chose
// and moves forward, or back when the Back button was pressed.
func (s *Server) wizardSubmit(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.followJob(w, r, sess) {
		return
	}
	st, wz, ok := s.lockStep(w, r, sess)
	if !ok {
		return
	}
	defer sess.mu.Unlock()
	if !wz.allowed(st) || st == stepRun {
		redirectStep(w, r, wz.current())
		return
	}
	back := r.PostFormValue("nav") == "back"
	switch st {
	case stepAreas:
		s.submitAreas(w, r, sess)
		return
	case stepEmails, stepTasks, stepAppointments:
		if s.submitDataset(w, r, wz, st) {
			return
		}
	case stepExecute:
		if !back && s.opts.Jobs != nil {
			s.enqueueRun(w, r, sess)
			return
		}
		if !back {
			s.startRun(w, r, sess)
			return
		}
	}
	if back {
		redirectStep(w, r, wz.prev(st))
		return
	}
	next := wz.next(st)
	wz.reached = max(wz.reached, next)
	redirectStep(w, r, next)
}

// submitAreas keeps the chosen areas and, the first time, computes the
// plan. Going back and submitting the areas again keeps the plan (its ids
// stay valid) but sends the user through the dataset steps again, so that
// a newly chosen area is reviewed before it is executed. sess.mu is held.
func (s *Server) submitAreas(w http.ResponseWriter, r *http.Request, sess *session) {
	wz := sess.wizard
	offered := s.offeredAreas(sess.user)
	var chosen []engine.Area
	for _, v := range r.PostForm["area"] {
		a := engine.Area(v)
		if !containsArea(offered, a) {
			http.Error(w, fmt.Sprintf("area %q is not offered to you", v), http.StatusBadRequest)
			return
		}
		if !containsArea(chosen, a) {
			chosen = append(chosen, a)
		}
	}
	if len(chosen) == 0 {
		s.renderStep(w, http.StatusUnprocessableEntity, sess, stepAreas, "Choose at least one area.")
		return
	}
	wz.areas = chosen
	if wz.plan == nil {
		secrets, err := s.openSecretsLocked(r.Context(), sess)
		if err != nil {
			wz.areas = nil
			s.log.Error("typed passwords cannot be opened", "user", sess.user, "error", err)
			http.Redirect(w, r, credentialsPath, http.StatusSeeOther)
			return
		}
		// The store names this run before it is planned, so that a
		// request reaching another replica meanwhile is told where the
		// review lives.
		mark := s.replica + "/" + randomToken()[:8]
		if err := s.store.SetSessionWizard(r.Context(), sess.id, mark); err != nil {
			wz.areas = nil
			s.storeFailed(w, r, err)
			return
		}
		sess.wizardAt, wz.mark = mark, mark
		s.startPlanning(sess, secrets, wz)
		// A quick plan goes straight on to the next step; a slow one
		// shows its progress page, which can cancel it.
		select {
		case <-wz.planning.done:
			s.afterPlanningLocked(w, r, sess)
		case <-time.After(s.planningPatience()):
			http.Redirect(w, r, planningPath, http.StatusSeeOther)
		}
		return
	}
	next := wz.next(stepAreas)
	wz.reached = next
	redirectStep(w, r, next)
}

// planWizard starts the user's sources and computes the wizard's plan,
// under the user's lock so that it does not read state an automatic run
// is writing; progress is told how the listing goes.
func (s *Server) planWizard(ctx context.Context, user string, secrets map[string]string, progress func(engine.Progress)) planResult {
	lock := s.locks.of(user)
	lock.Lock()
	defer lock.Unlock()
	if err := ctx.Err(); err != nil {
		return planResult{err: err} // cancelled while waiting for the lock
	}
	job, release, err := s.opts.OpenJob(ctx, user, secrets)
	if err != nil {
		return planResult{err: err}
	}
	job.Progress = progress
	run, err := engine.Start(ctx, s.opts.State, job)
	if err != nil {
		release()
		return planResult{err: err}
	}
	return planResult{run: run, job: job, release: release}
}

// startRun executes the wizard's plan in the background and shows the
// progress page. sess.mu is held.
func (s *Server) startRun(w http.ResponseWriter, r *http.Request, sess *session) {
	wz := sess.wizard
	secrets, err := s.openSecretsLocked(r.Context(), sess)
	if err != nil {
		s.log.Error("typed passwords cannot be opened", "user", sess.user, "error", err)
		http.Redirect(w, r, credentialsPath, http.StatusSeeOther)
		return
	}
	if !s.beginRun() {
		http.Error(w, "the server is shutting down; nothing was executed", http.StatusServiceUnavailable)
		return
	}
	wz.applySelection()
	wz.run = newRun(wz.plan)
	release := wz.releaseJob
	wz.releaseJob = nil
	wz.reached = stepRun
	go s.executeManual(sess.user, wz.job, wz.sync, release, wz.run, secrets)
	redirectStep(w, r, stepRun)
}

func containsArea(list []engine.Area, a engine.Area) bool {
	for _, v := range list {
		if v == a {
			return true
		}
	}
	return false
}
