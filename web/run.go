package web

import (
	"sync"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// run is one execution watched by a browser: the latest progress, and the
// result once it is over. Watchers wait on changed(), which is closed and
// replaced on every update.
type run struct {
	mu       sync.Mutex
	phase    string // "waiting", "snapshot", "crm", "execute", "done"
	done     int64
	total    int64
	result   *engine.Result
	err      error
	finished bool
	changeCh chan struct{}
	subjects map[string]string // action id → subject, for the error list
}

func newRun(plan *engine.Plan) *run {
	r := &run{phase: "waiting", changeCh: make(chan struct{}), subjects: map[string]string{}}
	for _, a := range plan.Actions {
		r.subjects[a.ID] = a.Subject
	}
	return r
}

// runState is a copy of a run's state for a page or an event.
type runState struct {
	Phase    string `json:"phase"`
	Done     int64  `json:"done"`
	Total    int64  `json:"total"`
	Finished bool   `json:"finished"`
}

func (r *run) state() runState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return runState{Phase: r.phase, Done: r.done, Total: r.total, Finished: r.finished}
}

// changed returns a channel closed at the next update.
func (r *run) changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changeCh
}

func (r *run) notifyLocked() {
	close(r.changeCh)
	r.changeCh = make(chan struct{})
}

// progress is the engine's Job.Progress.
func (r *run) progress(p engine.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phase, r.done, r.total = p.Phase, p.Done, p.Total
	r.notifyLocked()
}

func (r *run) setPhase(phase string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phase = phase
	r.notifyLocked()
}

func (r *run) finish(res *engine.Result, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.result, r.err, r.finished, r.phase = res, err, true, "done"
	r.notifyLocked()
}

// outcome returns the result and error once finished.
func (r *run) outcome() (*engine.Result, error, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.result, r.err, r.finished
}

// userLocks gives each user one mutex, shared by manual and scheduled runs,
// so a user's state is never planned or written by two runs at once.
type userLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (l *userLocks) of(user string) *sync.Mutex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	m := l.locks[user]
	if m == nil {
		m = &sync.Mutex{}
		l.locks[user] = m
	}
	return m
}

// schedule is what the status page shows of a user's automatic runs.
type schedule struct {
	mu      sync.Mutex
	next    map[string]time.Time
	lastErr map[string]string // a run that failed before its journal began
}

func (s *schedule) setNext(user string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next == nil {
		s.next = map[string]time.Time{}
	}
	s.next[user] = t
}

func (s *schedule) setErr(user, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr == nil {
		s.lastErr = map[string]string{}
	}
	s.lastErr[user] = msg
}

func (s *schedule) get(user string) (next time.Time, lastErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next[user], s.lastErr[user]
}
