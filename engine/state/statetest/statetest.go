// Package statetest is the conformance suite of state.Store: every
// implementation (SQLite, PostgreSQL) runs it from a short test file, so
// that the engine can rely on the contract documented in engine/state and
// not on one store's habits.
//
//	func TestConformance(t *testing.T) {
//		statetest.Run(t, func(t *testing.T) state.Store { return openFresh(t) })
//	}
//
// The suite never sets a store's clock: times are checked against the
// wall clock around each call, truncated to the second (so the store's
// server must run on this machine's clock, as the test servers do).
package statetest

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine/state"
)

// Open returns a new, empty store for one subtest. The suite closes it
// when the subtest ends.
type Open func(t *testing.T) state.Store

// Run runs every conformance test against stores that open returns, each
// as a subtest with a store of its own.
func Run(t *testing.T, open Open) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// tests is the suite, in the order of the Store interface.
var tests = []struct {
	name string
	fn   func(*testing.T, state.Store)
}{
	{"LinkRoundTripKeepsEveryField", testLinkRoundTrip},
	{"PutLinksReplacesAndStampsUpdatedAt", testPutLinksReplaces},
	{"PutLinksIsAllOrNothing", testPutLinksAllOrNothing},
	{"PutLinksWritesBatchesOfEverySize", testPutLinksBatchSizes},
	{"PutLinksHonoursCancelledContext", testPutLinksCancelled},
	{"DeleteLink", testDeleteLink},
	{"FindLinksByItemKeyAndActivity", testFindLinks},
	{"CreatedRunIsKeptAndFound", testCreatedRun},
	{"LinksStopsOnCallbackErrorAndAllowsWritesFromCallback", testLinksCallback},
	{"CursorsSetReplaceClear", testCursors},
	{"RunJournal", testRunJournal},
	{"RunJournalRejectsBadCalls", testRunJournalRejects},
	{"FailedRunKeepsItsError", testFailedRun},
	{"ApplyBatchWritesLinksAndResultsAtomically", testApplyBatch},
	{"RecordIdleSharesOneEntry", testRecordIdle},
	{"SettleFailures", testSettleFailures},
	{"FailuresOldestFirstThenByKey", testFailuresOrder},
	{"SettleRunWritesTheEndOfARunAtOnce", testSettleRun},
	{"SettleRunReleasesTheLease", testSettleRunReleasesLease},
	{"ConcurrentGoroutines", testConcurrent},
	{"LeaseIsExclusive", testLeaseIsExclusive},
	{"LeaseExpiryLetsAnotherTakeOver", testLeaseExpiry},
	{"LeaseRaceHasOneWinner", testLeaseRace},
	{"LeaseForRun", testLeaseForRun},
	{"PreferencesStoreAndJournalChanges", testPreferences},
}

// window is the span of wall-clock seconds in which a store may have
// stamped a time: from the second a call began to the end of the second it
// returned.
type window struct{ from, to time.Time }

func openWindow() window { return window{from: time.Now().UTC().Truncate(time.Second)} }

// close ends the window now.
func (w window) close() window {
	w.to = time.Now().UTC().Truncate(time.Second)
	return w
}

// check fails unless got is a UTC time to the second inside w.
func (w window) check(t *testing.T, what string, got time.Time) {
	t.Helper()
	if got.Location() != time.UTC {
		t.Errorf("%s = %v: not in UTC", what, got)
	}
	if got.Nanosecond() != 0 {
		t.Errorf("%s = %v: not to the second", what, got)
	}
	if got.Before(w.from) || got.After(w.to) {
		t.Errorf("%s = %v: want between %v and %v", what, got, w.from, w.to)
	}
}

// collectLinks walks all links of a user into a map keyed by source/item.
func collectLinks(t *testing.T, s state.Store, user string) map[string]state.Link {
	t.Helper()
	out := map[string]state.Link{}
	if err := s.Links(context.Background(), user, func(l state.Link) error {
		out[l.Source+"/"+l.ItemID] = l
		return nil
	}); err != nil {
		t.Fatalf("Links(%q): %v", user, err)
	}
	return out
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
