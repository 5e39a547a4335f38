package worker

import "time"

// phases is where one sync job's time went, logged with "sync ended" so
// that the per-user cost of a worker (issue 12's scale targets) can be
// read from its log: taking the lease, opening the user's sources,
// the engine's run, and handing the sources over to be closed (they
// close after the job, see runSync).
type phases struct {
	lease, open, run, close time.Duration
}

// fields are the phases as log key/value pairs, in milliseconds.
func (p phases) fields() []any {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return []any{"lease_ms", ms(p.lease), "open_ms", ms(p.open), "run_ms", ms(p.run), "close_ms", ms(p.close)}
}
