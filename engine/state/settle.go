package state

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Settlement is everything a run records when it ends, written by
// Store.SettleRun in one transaction: one commit (one fsync, one round
// trip) instead of one per cursor, the journal entry and the failures.
// Most runs of a scheduler or a worker find nothing new, and before this
// their fixed cost was mostly these separate commits.
type Settlement struct {
	User string
	// RunID is the run's journal entry (BeginRun), closed with Status,
	// Counts and Error as FinishRun does. 0 means an idle check: the
	// user's idle entry is extended as RecordIdle does, and Status, Counts
	// and Error are not used.
	RunID  int64
	Status string
	Counts map[string]int
	Error  string
	// Cursors to store, source → cursor ("" clears one), as SetCursor. A
	// cursor equal to the stored one is not written.
	Cursors map[string]string
	// Settle says that the run's failures are settled, as SettleFailures
	// with Failures and Unknown. A run that failed before its end settles
	// none.
	Settle   bool
	Failures []Failure
	Unknown  []string
	// Release ends the holding Lease in the same transaction, as
	// ReleaseLease (a lease already lost is not an error): a worker's run
	// ends with its settlement, and a release apart from it was one more
	// round trip on every run. The holder stops renewing first
	// (UserLock.StopRenewing) and tells its lock afterwards (Released).
	Release bool
	Lease   Lease
}

// Settled is what SettleRun wrote: the journal entry (the idle entry's id
// for an idle check) and, when the settlement settled failures, the
// failures as SettleFailures returns them.
type Settled struct {
	RunID    int64
	Failures []Failure
}

// Check validates a settlement before a store writes it, the same for
// every store: it returns the name errors give the operation ("settle run
// 7 of alice") and, for a run's entry, its counts as JSON (nil for an idle
// check).
func (st Settlement) Check() (what string, countsJSON []byte, err error) {
	if st.User == "" {
		return "", nil, errors.New("state: settle run: empty user")
	}
	what = fmt.Sprintf("settle run %d of %s", st.RunID, st.User)
	if st.RunID != 0 {
		if !FinalStatus(st.Status) {
			return what, nil, fmt.Errorf("state: %s: status %q is not %q, %q or %q", what, st.Status, StatusOK, StatusPartial, StatusFailed)
		}
		counts := st.Counts
		if counts == nil {
			counts = map[string]int{}
		}
		if countsJSON, err = json.Marshal(counts); err != nil {
			return what, nil, fmt.Errorf("state: %s: %w", what, err)
		}
	}
	if st.Release && (st.Lease.User != st.User || st.Lease.Token == "") {
		return what, nil, fmt.Errorf("state: %s: the lease to release is not a holding of %s", what, st.User)
	}
	for source := range st.Cursors {
		if source == "" {
			return what, nil, fmt.Errorf("state: %s: a cursor with an empty source name", what)
		}
	}
	return what, countsJSON, nil
}
