package xchg

import (
	"context"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/backoff"
)

// Resume is the page-level policy above Retry. When one page request of a
// listing (a Graph next link, an EWS sync state or GetItem batch) still
// fails as Temporary after Retry's attempts, the listing waits and asks for
// that same page again, from the last page that was read, instead of
// failing the snapshot. The engine keeps no cursor of a failed listing, so
// without this a long outage in the middle of a large first sync would make
// the next run read every page again from the start.
type Resume struct {
	// Rounds is how many more times a failed page is asked for; 0 means
	// DefaultResume, a negative value turns resuming off.
	Rounds int
	// Delay is the wait before the first round, doubled each round.
	Delay time.Duration
}

// DefaultResume is what the adapter uses outside tests: with DefaultRetry
// a page is given up after about a minute and a half of failures.
var DefaultResume = Resume{Rounds: 3, Delay: 5 * time.Second}

// OrDefault returns r, or DefaultResume when r is the zero value.
func (r Resume) OrDefault() Resume {
	if r.Rounds == 0 {
		return DefaultResume
	}
	return r
}

// Page runs fetch, the request of one page, and runs it again after a wait
// while it fails with a Temporary error and rounds are left. fetch must
// ask for the same page each time (the caller has not advanced its link or
// state) and must not have emitted anything of that page when it fails.
// Errors: fetch's last error; the context's error when it ends while
// waiting. Errors of other codes are returned at once: an invalid sync
// state or a refused password does not get better by waiting.
func (r Resume) Page(ctx context.Context, log hclog.Logger, what string, fetch func() error) error {
	err := fetch()
	for round := 0; round < r.Rounds && err != nil && adapters.CodeOf(err) == adapters.CodeTemporary; round++ {
		delay := r.Delay << round
		if log != nil {
			log.Warn("page request failed, asking for the same page again", "page", what, "round", round+1, "wait", delay, "error", err)
		}
		if serr := backoff.Sleep(ctx, delay); serr != nil {
			return serr
		}
		err = fetch()
	}
	return err
}
