package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// scheduleWorker works the periodic sync_schedule job, which River
// inserts on its elected leader only.
type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	w *Worker
}

// Work enqueues a scheduled sync for every automatic user (now: see
// automaticNow) who is due: who
// has no finished sync job newer than Interval. Users with a sync queued or
// running are skipped by the job's uniqueness. Errors: the database (the
// next tick tries again).
func (s *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	w := s.w
	if w.opts.Interval <= 0 {
		return nil
	}
	last, err := lastFinished(ctx, w)
	if err != nil {
		return err
	}
	now := time.Now()
	var due []string
	for _, u := range w.opts.Users {
		if u.NeedsPassword || !w.automaticNow(ctx, u) {
			continue
		}
		if t, ok := last[u.Name]; ok && now.Sub(t) < w.opts.Interval {
			continue
		}
		due = append(due, u.Name)
	}
	if len(due) == 0 {
		return nil
	}
	res, err := enqueueSyncs(ctx, w.client, due, WhyScheduled)
	if err != nil {
		return err
	}
	added := 0
	for _, r := range res {
		if !r.Duplicate {
			added++
		}
	}
	w.log.Info("schedule: syncs enqueued", "due", len(due), "enqueued", added)
	return nil
}

// automaticNow says whether u is synced by the schedule now: the
// configured Automatic, or, for a user who may change it, what
// Options.AutomaticNow says. When that cannot be read (the database is
// away) the configured value stands for this tick, and the log says why.
func (w *Worker) automaticNow(ctx context.Context, u User) bool {
	if !u.AutomaticByPreference || w.opts.AutomaticNow == nil {
		return u.Automatic
	}
	on, err := w.opts.AutomaticNow(ctx, u.Name)
	if err != nil {
		w.log.Warn("schedule: cannot read the user's automatic matching, using the config's", "user", u.Name, "error", err)
		return u.Automatic
	}
	return on
}

// lastFinished returns when each user's latest sync job finished (River's
// own table, so the schedule survives restarts of every replica).
func lastFinished(ctx context.Context, w *Worker) (map[string]time.Time, error) {
	rows, err := w.opts.Pool.Query(ctx, `SELECT args->>'user', max(finalized_at) FROM river_job
		WHERE kind = $1 AND state IN ('completed', 'discarded') GROUP BY 1`, KindSyncUser)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var u string
		var t time.Time
		if err := rows.Scan(&u, &t); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
		out[u] = t
	}
	return out, rows.Err()
}

var _ river.Worker[ScheduleArgs] = (*scheduleWorker)(nil)

// NextRuns says when the periodic schedule will sync each of users next,
// read from the queue so that every replica says the same: now for a user
// with a sync queued or running (the time it is scheduled at, when that is
// later: a retry waiting), else the last finished sync plus interval (the
// schedule then enqueues it within a tick), else now (never synced: at the
// schedule's next tick). Errors: the database.
func (q *Queue) NextRuns(ctx context.Context, users []string, interval time.Duration) (map[string]time.Time, error) {
	rows, err := q.pool.Query(ctx, `SELECT args->>'user',
		max(finalized_at) FILTER (WHERE state IN ('completed', 'discarded')),
		min(scheduled_at) FILTER (WHERE state IN ('available','pending','retryable','running','scheduled'))
		FROM river_job WHERE kind = $1 AND args->>'user' = ANY($2) GROUP BY 1`, KindSyncUser, users)
	if err != nil {
		return nil, fmt.Errorf("next runs: %w", err)
	}
	defer rows.Close()
	now := time.Now()
	out := make(map[string]time.Time, len(users))
	for _, u := range users {
		out[u] = now
	}
	for rows.Next() {
		var u string
		var finished, pending *time.Time
		if err := rows.Scan(&u, &finished, &pending); err != nil {
			return nil, fmt.Errorf("next runs: %w", err)
		}
		switch {
		case pending != nil:
			out[u] = maxTime(*pending, now)
		case finished != nil:
			out[u] = maxTime(finished.Add(interval), now)
		}
	}
	return out, rows.Err()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
