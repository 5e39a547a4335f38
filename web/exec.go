package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
)

// Run triggers, as the metrics label them.
const (
	triggerManual    = "manual"
	triggerAutomatic = "automatic"
)

// beginRun registers a sync with the shutdown; false means the server is
// shutting down and no sync may start.
func (s *Server) beginRun() bool {
	s.runGate.Lock()
	defer s.runGate.Unlock()
	select {
	case <-s.closing:
		return false
	default:
	}
	s.runs.Add(1)
	return true
}

// executeManual applies a wizard's plan in the background, reporting to r.
// It waits for the user's lock (an automatic run may be going on), and
// releases the wizard's sources at the end. secrets are the session's
// typed passwords, kept out of the error that is logged and shown.
func (s *Server) executeManual(user string, job *engine.Job, sync *engine.Run, release func(), r *run, secrets map[string]string) {
	defer s.runs.Done()
	defer release()
	_, res, err := s.measured(s.runCtx, user, triggerManual, func(ctx context.Context) (*engine.Plan, *engine.Result, error) {
		job.Progress = r.progress
		r.setPhase("execute")
		res, err := sync.Apply(ctx)
		return sync.Plan(), res, err
	})
	if err != nil {
		err = RedactError(err, secrets)
		s.log.Error("manual sync failed", "user", user, "error", err)
	}
	r.finish(res, err)
}

// syncAutomatic is one scheduled run of a user: plan everything the user's
// areas allow and apply it all, time changes of imported items included
// (which is why automatic users are not offered that area by hand). Failures before the run journal began
// (a source that cannot start, a CRM that cannot be listed) are kept for
// the status page, since no journal entry records them.
func (s *Server) syncAutomatic(ctx context.Context, user string) {
	_, res, err := s.measured(ctx, user, triggerAutomatic, func(ctx context.Context) (*engine.Plan, *engine.Result, error) {
		return s.planAndExecute(ctx, user)
	})
	msg := ""
	if err != nil && res == nil {
		msg = err.Error()
		s.log.Error("automatic sync failed", "user", user, "error", err)
	}
	s.sched.setErr(user, msg)
}

// measured runs a sync of user holding the user's lock (one run per user
// at a time, manual or automatic, in this process) and the user's lease in
// the state (none at once anywhere: a CLI run, a worker, another replica;
// it waits for the lease), and counts it in the metrics. sync runs under
// a context that ends when the lease is lost.
func (s *Server) measured(ctx context.Context, user, trigger string, sync func(context.Context) (*engine.Plan, *engine.Result, error)) (*engine.Plan, *engine.Result, error) {
	lock := s.locks.of(user)
	lock.Lock()
	defer lock.Unlock()
	lease, runCtx, err := state.LockUser(ctx, s.opts.State, user, state.CurrentHolder("gwsync serve (web wizard)"), state.LockOptions{Wait: true})
	if err != nil {
		return nil, nil, err
	}
	defer lease.Unlock(context.WithoutCancel(ctx))
	start := time.Now()
	s.metrics.running.Inc()
	defer s.metrics.running.Dec()
	plan, res, err := sync(runCtx)
	s.metrics.observe(trigger, res, err, time.Since(start))
	return plan, res, err
}

func (s *Server) planAndExecute(ctx context.Context, user string) (*engine.Plan, *engine.Result, error) {
	if need := s.users[user].Logins; len(need) > 0 {
		// Nobody is there to ask: the password must be in the config.
		return nil, nil, fmt.Errorf("the password of %s is not in the config, and a scheduled run cannot ask for it: "+
			"set password_file (or password, token) in the source's options", loginsText(need))
	}
	job, release, err := s.opts.OpenJob(ctx, user, nil)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	// Nobody reviews a scheduled plan: creates stream to the CRM while the
	// sources are listed (engine.Sync), as with `gwsync sync --yes`.
	return engine.Sync(ctx, s.opts.State, job)
}
