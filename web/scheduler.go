package web

import (
	"context"
	"sync"
	"time"
)

// runScheduler syncs every automatic user at once and then every Interval,
// until ctx is cancelled. Each user has a loop of their own, so a slow user
// does not delay the others; the user's lock keeps a scheduled run and a
// manual one from overlapping.
func (s *Server) runScheduler(ctx context.Context) {
	if s.opts.Interval <= 0 || s.opts.Jobs != nil {
		return // the queue's periodic schedule syncs them
	}
	var wg sync.WaitGroup
	for _, u := range s.opts.Users {
		// A user may switch automatic matching on in the preferences:
		// such a user has a loop too, which runs only while it is on.
		if !u.Automatic && !s.mayTurnAutomatic(u.Name) {
			continue
		}
		wg.Add(1)
		go func(user string) {
			defer wg.Done()
			s.scheduleUser(ctx, user)
		}(u.Name)
	}
	wg.Wait()
}

func (s *Server) scheduleUser(ctx context.Context, user string) {
	next := time.Now()
	for {
		s.sched.setNext(user, next)
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if !s.effectiveUser(ctx, user).Automatic {
			next = time.Now().Add(s.opts.Interval) // switched off in the preferences: look again later
			continue
		}
		if !s.beginRun() {
			return
		}
		// The run itself uses runCtx: at shutdown it gets the grace period.
		s.syncAutomatic(s.runCtx, user)
		s.runs.Done()
		next = time.Now().Add(s.opts.Interval)
	}
}
