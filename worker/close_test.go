package worker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// TestSourcesCloseAfterTheJob: a job is complete (its slot free for the
// next user) while its sources are still closing, and the worker's Run
// returns only once they are closed.
func TestSourcesCloseAfterTheJob(t *testing.T) {
	s := newSite(t, "alice")
	migrate(t, s.pool)
	ctx := context.Background()
	unblock := make(chan struct{})
	var closed atomic.Bool
	w := s.worker(Options{Users: users("alice")})
	open := w.opts.OpenJob
	w.opts.OpenJob = func(ctx context.Context, user string, secrets, prefs map[string]string) (*engine.Job, func(), error) {
		job, release, err := open(ctx, user, secrets, prefs)
		return job, func() {
			<-unblock
			release()
			closed.Store(true)
		}, err
	}
	q, _ := NewQueue(s.pool, nil)
	if _, err := q.EnqueueSyncs(ctx, []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	stop := s.start(w)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if c, err := q.Wait(wctx, time.Time{}, 50*time.Millisecond); err != nil || c.Completed != 1 {
		t.Fatalf("the job did not complete while its sources were closing: %+v %v", c, err)
	}
	if closed.Load() {
		t.Fatal("closed before unblocked")
	}
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a job's sources were still closing")
	case <-time.After(300 * time.Millisecond):
	}
	close(unblock)
	<-stopped
	if !closed.Load() {
		t.Fatal("Run returned before the sources were closed")
	}
}
