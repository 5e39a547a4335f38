package worker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestScheduleFollowsAUserWhoTurnsAutomaticOn: a user who may switch
// automatic matching in the preferences is not synced while AutomaticNow
// says off, however often the schedule ticks, and is synced at the next
// tick once it says on; the configured Automatic of such a user is not
// what counts.
func TestScheduleFollowsAUserWhoTurnsAutomaticOn(t *testing.T) {
	s := newSite(t, "pref", "manual")
	migrate(t, s.pool)
	ctx := context.Background()
	q, _ := NewQueue(s.pool, nil)
	var on atomic.Bool
	asked := make(chan string, 100)
	us := []User{{Name: "pref", Automatic: true, AutomaticByPreference: true}, {Name: "manual"}}
	s.start(s.worker(Options{Users: us, Interval: 2 * time.Second,
		AutomaticNow: func(_ context.Context, user string) (bool, error) {
			select {
			case asked <- user:
			default:
			}
			return on.Load(), nil
		}}))
	// The schedule runs at start and every second: let it tick three times.
	waitFor(t, func() bool {
		var n int
		s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, KindSchedule).Scan(&n)
		return n >= 3
	})
	if c, err := q.Counts(ctx, time.Time{}); err != nil || c.Completed+c.Pending+c.Running != 0 {
		t.Fatalf("with automatic matching off in the preferences: %+v %v, want no sync", c, err)
	}
	if u := <-asked; u != "pref" {
		t.Errorf("AutomaticNow asked for %q; only the user who may change it should be asked", u)
	}
	on.Store(true)
	waitFor(t, func() bool { c, _ := q.Counts(ctx, time.Time{}); return c.Completed >= 1 })
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opened["pref"] < 1 || s.opened["manual"] != 0 {
		t.Errorf("opened: %v, want pref synced and manual not", s.opened)
	}
}
