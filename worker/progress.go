package worker

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// Progress is how far a running job's run has come, as the engine last
// said (engine.Progress), kept in the job's metadata so that a page on any
// replica can show it.
type Progress struct {
	Phase string `json:"phase"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

// progressEvery is how often a manual run's progress is written to its
// job: often enough for a progress bar, rare enough to cost nothing.
const progressEvery = time.Second

// progressWriter keeps a run's latest progress and writes it into the
// job's metadata ("progress") at most every progressEvery while it
// changes. Only manual runs use it: somebody watches them, and unattended
// runs at scale should not pay the writes.
type progressWriter struct {
	w       *Worker
	jobID   int64
	attempt int

	mu      sync.Mutex
	latest  Progress
	written Progress
}

// set is the engine job's Progress callback.
func (p *progressWriter) set(e engine.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latest = Progress{Phase: e.Phase, Done: e.Done, Total: e.Total}
}

// run writes changes until ctx ends. A failed write is tried again at the
// next tick: progress is shown, never needed.
func (p *progressWriter) run(ctx context.Context) {
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		cur, changed := p.latest, p.latest != p.written
		p.mu.Unlock()
		if !changed {
			continue
		}
		data, _ := json.Marshal(cur)
		if _, err := p.w.opts.Pool.Exec(ctx, `UPDATE river_job SET metadata = jsonb_set(metadata, '{progress}', $3::jsonb)
			WHERE id = $1 AND attempt = $2 AND state = 'running'`, p.jobID, p.attempt, string(data)); err != nil {
			if ctx.Err() == nil {
				p.w.log.Debug("job progress", "job", p.jobID, "error", err)
			}
			continue
		}
		p.mu.Lock()
		p.written = cur
		p.mu.Unlock()
	}
}
