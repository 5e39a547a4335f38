package engine

import (
	"github.com/gwsync/gwsync/adapters"
)

// kindCommitted names the outcome of telling a source that its cursor is
// stored (adapters.Committer), when the source failed at it.
const kindCommitted ActionKind = "committed"

// committed tells a source that declares Committer that its cursor is
// stored: every item up to it is in the CRM (the IMAP adapter then flags
// or moves the imported messages at once instead of at its next
// snapshot). A failure is a warning in the log and a failed outcome in the
// run's result, never a failure of the run: the cursor is stored, and the
// source catches up from it by itself (see adapters.Committer).
func (x *executor) committed(name, cursor string) {
	c, ok := x.committer(name)
	if !ok {
		return
	}
	if err := c.Committed(x.ctx, cursor); err != nil {
		x.job.logger().Warn("source could not act on its committed items; it catches up next run",
			"user", x.job.User, "source", name, "error", err)
		x.record(ItemOutcome{Kind: kindCommitted, Source: name, Outcome: OutcomeFailed,
			Error: "acting on the committed items (caught up next run): " + err.Error()})
	}
}

// committer is the named source as a Committer, when it declares one.
func (x *executor) committer(name string) (adapters.Committer, bool) {
	ns, err := x.job.source(name)
	if err != nil {
		return nil, false
	}
	c, ok := ns.Source.(adapters.Committer)
	if !ok || !ns.info.Capabilities.Committed {
		return nil, false
	}
	return c, true
}
