package state

import "time"

// Failure is an item (or a whole source listing) that a run could not
// handle and that is offered again next run: unreadable, a write that
// failed, a listing that failed. It stays in the store until a run that
// knows the source's items no longer meets it. Keyed by (User, Source,
// ItemID, Kind); ItemID is "" for a source's listing.
type Failure struct {
	User   string
	Source string
	ItemID string
	// Kind is what failed: "unreadable", "listing", or the action kind
	// ("create", "update-crm", ...).
	Kind   string
	Reason string
	// FirstSeen is the first run that met this failure with this reason;
	// LastSeen the latest. Attempts counts the runs that met it.
	FirstSeen time.Time
	LastSeen  time.Time
	Attempts  int
	// New is set by SettleFailures when this run met the failure for the
	// first time, or with another reason than before.
	New bool
}

// Failure kinds the engine records besides action kinds.
const (
	FailureUnreadable = "unreadable"
	FailureListing    = "listing"
)

// Again is f as met by a run at now, for user: it keeps prev's first date
// and counts one more attempt when prev (stored is true) failed with the
// same reason, else it is new. Every store's SettleFailures applies it, so
// the rule is written once.
func Again(f, prev Failure, stored bool, user string, now time.Time) Failure {
	f.User, f.LastSeen = user, now
	if stored && prev.Reason == f.Reason {
		f.FirstSeen, f.Attempts, f.New = prev.FirstSeen, prev.Attempts+1, false
	} else {
		f.FirstSeen, f.Attempts, f.New = now, 1, true
	}
	return f
}
