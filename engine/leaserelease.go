package engine

import "github.com/gwsync/gwsync/engine/state"

// releaseInSettlement makes st, the run's settlement, release the user's
// lease (Job.Lock) in its transaction: a worker's run then ends in one
// round trip instead of two. Not when a source whose cursor st stores
// must be told so afterwards (Committed, under the lease: IMAP's
// after_import moves messages). The renewals stop here, so it is called
// just before SettleRun; done tells the lock whether the store released
// it (a failed settlement leaves it to the holder's Unlock).
func (x *executor) releaseInSettlement(st *state.Settlement, cursors []sourceCursor) (done func(error)) {
	lock := x.job.Lock
	if lock == nil {
		return func(error) {}
	}
	for _, c := range cursors {
		if _, ok := x.committer(c.source); ok {
			return func(error) {}
		}
	}
	st.Release, st.Lease = true, lock.StopRenewing()
	return func(err error) {
		if err == nil {
			lock.Released()
		}
	}
}
