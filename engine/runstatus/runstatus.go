// Package runstatus is the one read-model of a user's sync status, shared
// by `gwsync status` and the web client's status page so that both agree
// on which run was last and what is still outstanding.
package runstatus

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/engine/state"
)

// User is what a status view shows of one user.
type User struct {
	User string `json:"user"`
	// Runs are the latest journal entries, newest first; an idle entry
	// stands for a series of checks that found nothing to do.
	Runs []state.Run `json:"runs"`
	// LastRun is the newest finished run that was not idle; LastCheck the
	// newest finished entry of any kind (idle included). Nil when none.
	LastRun   *state.Run `json:"last_run,omitempty"`
	LastCheck *state.Run `json:"last_check,omitempty"`
	// Cursors are the stored cursors by source.
	Cursors map[string]string `json:"cursors"`
	// Outstanding are the failures offered again next run, oldest first:
	// unreadable items, writes that failed, listings that failed.
	Outstanding []state.Failure `json:"outstanding"`
	// PreferenceChanges are the latest changes of the user's own
	// preferences (who, when, old → new), newest first.
	PreferenceChanges []state.PreferenceChange `json:"preference_changes"`
}

// PreferenceChangesShown is how many preference changes Read gathers.
const PreferenceChangesShown = 10

// Read gathers the status of user, with up to runs journal entries.
func Read(ctx context.Context, st state.Store, user string, runs int) (User, error) {
	u := User{User: user, Outstanding: []state.Failure{}, PreferenceChanges: []state.PreferenceChange{}}
	var err error
	if u.Runs, err = st.Runs(ctx, user, runs); err != nil {
		return u, fmt.Errorf("status of %s: %w", user, err)
	}
	for i := range u.Runs {
		r := &u.Runs[i]
		if r.Finished.IsZero() {
			continue // still going, or killed: not a result yet
		}
		if u.LastCheck == nil {
			u.LastCheck = r
		}
		if u.LastRun == nil && r.Status != state.StatusIdle {
			u.LastRun = r
		}
	}
	if u.Cursors, err = st.Cursors(ctx, user); err != nil {
		return u, fmt.Errorf("status of %s: %w", user, err)
	}
	list, err := st.Failures(ctx, user)
	if err != nil {
		return u, fmt.Errorf("status of %s: %w", user, err)
	}
	u.Outstanding = append(u.Outstanding, list...)
	changes, err := st.PreferenceChanges(ctx, user, PreferenceChangesShown)
	if err != nil {
		return u, fmt.Errorf("status of %s: %w", user, err)
	}
	u.PreferenceChanges = append(u.PreferenceChanges, changes...)
	return u, nil
}
