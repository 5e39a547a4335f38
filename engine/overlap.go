package engine

import (
	"context"

	"github.com/gwsync/gwsync/engine/state"
)

// Planning overlaps its two sides. The CRM side (the CRM listing and the
// links the plan needs, planCRM) runs in its own goroutine while the
// first source starts its snapshot: its login and listing are round trips
// to another server that need nothing from the CRM side. The source's
// first item waits for the CRM side (snapshot's ready): until then the
// source's stream is held back by its transport, so nothing piles up in
// memory. Without the overlap a user's run is the sum of both sides'
// latencies; with it, about the larger (the scale benchmark's no-change
// cycle is mostly these round trips).
//
// Until crmDone is closed, p.ix, p.lazy and p.plan.crm belong to the CRM
// side; the source side touches none of them before awaitCRM.

// startCRM starts the CRM side; awaitCRM waits for it.
func (p *planner) startCRM(ctx context.Context, st state.Store) {
	p.crmDone = make(chan struct{})
	go func() {
		defer close(p.crmDone)
		p.crmErr = p.planCRM(ctx, st)
	}()
}

// awaitCRM waits until the CRM side ended and returns its error.
func (p *planner) awaitCRM() error {
	<-p.crmDone
	return p.crmErr
}

// progress reports planning progress; both sides report, one at a time.
func (p *planner) progress(pr Progress) {
	p.progressMu.Lock()
	defer p.progressMu.Unlock()
	p.job.progress(pr)
}
