package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// planning is a wizard's plan being computed in the background, so that
// the browser can watch it (which source, items listed so far, elapsed)
// and cancel it. It needs no session lock: the wizard takes its result
// over (adoptPlanningLocked) when the next request of the session sees it
// finished.
type planning struct {
	cancel  context.CancelFunc
	done    chan struct{} // closed when finished
	secrets map[string]string

	mu        sync.Mutex
	started   time.Time
	phase     string // "waiting", "crm", "snapshot"
	crm       int64  // CRM activities read
	sources   []sourceProgress
	current   int // the source reported last
	finished  bool
	discarded bool // nobody takes the result: its sources are released
	result    planResult
	changeCh  chan struct{}
}

// sourceProgress is one source's listing as the planning page shows it.
type sourceProgress struct {
	Label string `json:"label"`
	Items int64  `json:"items"`
	Done  bool   `json:"done"`
}

// planResult is what planWizard computed.
type planResult struct {
	run     *engine.Run
	job     *engine.Job
	release func()
	err     error
}

func newPlanning(cancel context.CancelFunc, secrets map[string]string) *planning {
	return &planning{cancel: cancel, done: make(chan struct{}), secrets: secrets,
		started: time.Now(), phase: "waiting", changeCh: make(chan struct{})}
}

// progress is the job's engine.Job.Progress while planning.
func (pl *planning) progress(p engine.Progress) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	switch p.Phase {
	case "crm":
		pl.phase, pl.crm = p.Phase, p.Done
	case "snapshot":
		pl.phase = p.Phase
		i := pl.sourceIndexLocked(p.Name)
		pl.sources[i].Items = p.Done
		pl.sources[i].Done = p.Total > 0
		pl.current = i
	default:
		return
	}
	pl.notifyLocked()
}

// sourceIndexLocked finds a source's entry, adding it at its first report.
func (pl *planning) sourceIndexLocked(name string) int {
	for i, sp := range pl.sources {
		if sp.Label == name {
			return i
		}
	}
	pl.sources = append(pl.sources, sourceProgress{Label: name})
	return len(pl.sources) - 1
}

func (pl *planning) notifyLocked() {
	close(pl.changeCh)
	pl.changeCh = make(chan struct{})
}

func (pl *planning) changed() <-chan struct{} {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.changeCh
}

// finish stores the result; a planning nobody wants any more releases
// the sources it opened at once.
func (pl *planning) finish(res planResult) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.discarded && res.release != nil {
		res.release()
		res.release = nil
	}
	pl.result, pl.finished = res, true
	pl.notifyLocked()
	close(pl.done)
}

// discard cancels the planning, or releases what it opened when it is
// over already.
func (pl *planning) discard() {
	pl.cancel()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.discarded = true
	if pl.finished && pl.result.release != nil {
		pl.result.release()
		pl.result.release = nil
	}
}

// planningState is what the planning page and its events show.
type planningState struct {
	Text     string           `json:"text"`
	Sources  []sourceProgress `json:"sources"`
	Elapsed  string           `json:"elapsed"`
	Finished bool             `json:"finished"`
	Phase    string           `json:"phase"`
}

func (pl *planning) state() planningState {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	elapsed := time.Since(pl.started).Round(time.Second)
	st := planningState{Sources: append([]sourceProgress{}, pl.sources...), Elapsed: elapsed.String(),
		Finished: pl.finished, Phase: pl.phase}
	switch {
	case pl.finished:
		st.Text = "Done after " + st.Elapsed + "."
	case pl.phase == "waiting":
		st.Text = fmt.Sprintf("Waiting for your sources to open… (%s)", st.Elapsed)
	case pl.phase == "crm":
		st.Text = fmt.Sprintf("Reading your CRM activities: %d so far (%s)", pl.crm, st.Elapsed)
	default:
		cur := pl.sources[pl.current]
		st.Text = fmt.Sprintf("Reading %s: %d items so far (%s)", cur.Label, cur.Items, st.Elapsed)
	}
	return st
}
