package state

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
}

// Settled is what SettleRun wrote: the journal entry (the idle entry's id
// for an idle check) and, when the settlement settled failures, the
// failures as SettleFailures returns them.
type Settled struct {
	RunID    int64
	Failures []Failure
}
