package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// enqueueRun queues the wizard's reviewed choice as a job (Options.Jobs)
// and sends the browser to the run page, which follows the job from any
// replica. The wizard's sources are closed: the worker opens its own. A
// user who already has a sync queued or running is told so on the execute
// page, and the review stays for a later Apply. sess.mu is held.
func (s *Server) enqueueRun(w http.ResponseWriter, r *http.Request, sess *session) {
	wz := sess.wizard
	secrets, err := s.openSecretsLocked(r.Context(), sess)
	if err != nil {
		s.log.Error("typed passwords cannot be opened", "user", sess.user, "error", err)
		http.Redirect(w, r, credentialsPath, http.StatusSeeOther)
		return
	}
	job := ManualJob{User: sess.user, Areas: wz.areas, Secrets: secrets}
	for _, a := range wz.plan.Actions {
		if a.Selected && !a.IsReport() && wz.chose(a.Area) && !wz.deselected[a.ID] {
			job.Selected = append(job.Selected, a.ID)
		}
	}
	id, duplicate, err := s.opts.Jobs.EnqueueManual(r.Context(), job)
	if err != nil {
		msg := Redact(err.Error(), secrets)
		s.log.Error("enqueueing a manual run failed", "user", sess.user, "error", msg)
		s.renderStep(w, http.StatusServiceUnavailable, sess, stepExecute, "The run could not be queued: "+msg+". Nothing was executed; try again.")
		return
	}
	if duplicate {
		s.renderStep(w, http.StatusConflict, sess, stepExecute, fmt.Sprintf(
			"A synchronization of your account is already queued or running (job %d), so this one was not queued. "+
				"Nothing of your selection was executed: press Execute again once it has finished.", id))
		return
	}
	mark := jobMark(id)
	if err := s.store.SetSessionWizard(r.Context(), sess.id, mark); err != nil {
		// The job runs anyway; only following it from this session fails.
		s.log.Error("the queued run is not recorded in the session", "user", sess.user, "job", id, "error", err)
		s.storeFailed(w, r, err)
		return
	}
	s.log.Info("manual run queued", "user", sess.user, "job", id, "selected", len(job.Selected))
	sess.wizardAt = mark
	sess.endWizardLocked()
	redirectStep(w, r, stepRun)
}

// followJob answers a wizard request of a session whose review became a
// job: the run page shows the job, every other step leads there. false:
// the session follows no job and nothing was written.
func (s *Server) followJob(w http.ResponseWriter, r *http.Request, sess *session) bool {
	sess.mu.Lock()
	id, ok := sess.followedJobLocked()
	if !ok {
		sess.mu.Unlock()
		return false
	}
	defer sess.mu.Unlock()
	if r.Method != http.MethodGet || r.PathValue("step") != steps[stepRun].name {
		redirectStep(w, r, stepRun)
		return true
	}
	js, err := s.opts.Jobs.Job(r.Context(), id)
	if err != nil {
		s.log.Error("reading a queued run", "user", sess.user, "job", id, "error", err)
		js = JobStatus{State: JobFailed, Error: fmt.Sprintf("job %d cannot be read: %v", id, err)}
	}
	wz := newWizard()
	wz.reached = stepRun
	v := s.viewLocked(sess, steps[stepRun].title, jobPage(id, js))
	v.Nav = "sync"
	v.Steps = stepBar(wz, stepRun)
	s.render(w, http.StatusOK, "step_run.html", v)
	return true
}

// jobPage is the run page of a job: its state while it waits or runs,
// then the summary of its run.
func jobPage(id int64, js JobStatus) runPage {
	p := runPage{State: jobRunState(id, js)}
	if !js.finished() {
		return p
	}
	var err error
	if js.State != JobDone {
		err = fmt.Errorf("job %d %s: %s", id, js.State, js.Error)
	}
	p = summaryPage(p, js.Result, err, nil)
	p.MoreErrors = js.MoreFailed
	return p
}

// jobRunState is what the progress bar says of a job: its state, and a
// running job's progress as its worker last wrote it.
func jobRunState(id int64, js JobStatus) runState {
	phase := "queued (job " + fmt.Sprint(id) + "), waiting for a worker"
	switch js.State {
	case JobRunning:
		if js.Phase != "" {
			return runState{Phase: js.Phase, Done: js.Done, Total: js.Total}
		}
		phase = "running (job " + fmt.Sprint(id) + ")"
	case JobRetrying:
		phase = fmt.Sprintf("attempt %d failed (%s); it will be tried again", js.Attempt, js.Error)
	case JobDone, JobFailed, JobCancelled:
		phase = "done"
	}
	return runState{Phase: phase, Finished: js.finished()}
}

// jobEvents streams a followed job's state as the "progress" events of
// runEvents, polling the queue every JobPoll, then "done". A queue that
// cannot be read a few times in a row (the database away, the job gone)
// ends the stream too: the page then shows why.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request, sess *session, id int64) {
	ev, ok := s.openEventStream(w)
	if !ok {
		return
	}
	last, failures := "", 0
	for {
		js, err := s.opts.Jobs.Job(r.Context(), id)
		var st runState
		switch {
		case err == nil:
			failures = 0
			st = jobRunState(id, js)
		case r.Context().Err() != nil:
			return
		default:
			failures++
			s.log.Warn("following a queued run", "user", sess.userName(), "job", id, "error", err)
			st = runState{Phase: "the job queue cannot be read; trying again", Finished: failures >= maxJobReadFailures}
		}
		if data, _ := json.Marshal(st); string(data) != last {
			last = string(data)
			if !ev.progress(data) {
				return
			}
		}
		if st.Finished {
			ev.done()
			return
		}
		ev.flush()
		select {
		case <-time.After(s.opts.JobPoll):
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// maxJobReadFailures is how many failed reads of a followed job in a row
// end its event stream.
const maxJobReadFailures = 3

// nextRunFromJobs is the status page's next run of an automatic user
// when the queue schedules the syncs.
func (s *Server) nextRunFromJobs(ctx context.Context, user string) (time.Time, error) {
	next, err := s.opts.Jobs.NextRuns(ctx, []string{user}, s.opts.Interval)
	if err != nil {
		return time.Time{}, err
	}
	return next[user], nil
}
