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

// TestScheduleSkipsAUserWithAnUnfinishedSync: a user whose last finished
// sync is long past the interval but who has a sync running is not given
// another, whatever River's uniqueness would say (the running job here has
// no unique key, as one whose insert raced the tick); a user whose last
// sync finished before the interval, and one with no job, are enqueued at
// the first tick.
func TestScheduleSkipsAUserWithAnUnfinishedSync(t *testing.T) {
	s := newSite(t, "busy", "idle", "stale")
	migrate(t, s.pool)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO river_job (state, queue, kind, args, created_at, finalized_at)
			VALUES ('completed', 'sync', 'sync_user', '{"user": "busy"}', now() - interval '2 hours', now() - interval '1 hour')`,
		`INSERT INTO river_job (state, queue, kind, args, attempt, attempted_at)
			VALUES ('running', 'sync', 'sync_user', '{"user": "busy"}', 1, now())`,
		`INSERT INTO river_job (state, queue, kind, args, created_at, finalized_at)
			VALUES ('completed', 'sync', 'sync_user', '{"user": "stale"}', now() - interval '2 hours', now() - interval '1 hour')`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	us := []User{{Name: "busy", Automatic: true}, {Name: "idle", Automatic: true}, {Name: "stale", Automatic: true}}
	s.start(s.worker(Options{Users: us, Interval: time.Minute}))
	jobs := func(user string) int {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'user' = $2`,
			KindSyncUser, user).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The schedule runs at start and every second: let it tick twice.
	waitFor(t, func() bool {
		var n int
		s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, KindSchedule).Scan(&n)
		return n >= 2
	})
	if n := jobs("busy"); n != 2 {
		t.Errorf("busy has %d sync jobs, want its 2 (no new one while one runs)", n)
	}
	if n := jobs("idle"); n != 1 {
		t.Errorf("idle has %d sync jobs, want 1", n)
	}
	if n := jobs("stale"); n != 2 {
		t.Errorf("stale has %d sync jobs, want its old one and a new one", n)
	}
}
