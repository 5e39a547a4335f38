package state

// Run statuses, as stored in the journal and reported by Runs.
const (
	StatusRunning = "running" // begun and not finished: in progress, or the process died
	StatusOK      = "ok"      // every item succeeded
	StatusPartial = "partial" // some items failed
	StatusFailed  = "failed"  // the run as a whole failed; Run.Error says why
	StatusIdle    = "idle"    // checked, nothing to do (see Store.RecordIdle)
)

// FinalStatus reports whether a run may be finished with status.
func FinalStatus(status string) bool {
	return status == StatusOK || status == StatusPartial || status == StatusFailed
}
