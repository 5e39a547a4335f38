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
// automaticNow) who is due: who has no sync queued or running and no
// finished sync job newer than Interval. Both are read in one statement:
// a user whose sync was queued when the tick looked and finished before it
// enqueued is not synced again at once (the job's uniqueness alone let
// that happen: 27 extra syncs in a tick during a 10,000-user cycle).
// Errors: the database (the next tick tries again).
func (s *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	w := s.w
	if w.opts.Interval <= 0 {
		return nil
	}
	syncs, err := readUserSyncs(ctx, w)
	if err != nil {
		return err
	}
	now := time.Now()
	var due []string
	for _, u := range w.opts.Users {
		if u.NeedsPassword || !w.automaticNow(ctx, u) {
			continue
		}
		if j, ok := syncs[u.Name]; ok && (j.unfinished || now.Sub(j.lastFinished) < w.opts.Interval) {
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

// userSyncs is what the schedule knows of a user's sync jobs.
type userSyncs struct {
	// lastFinished is when the latest finished (zero: none has).
	lastFinished time.Time
	// unfinished: a sync is queued, running or waiting for a retry.
	unfinished bool
}

// readUserSyncs reads, from River's own table (so the schedule survives
// restarts of every replica) and in one snapshot, the users who have a
// sync unfinished or finished within the interval: the others are due.
// Only those jobs are read, through River's indexes that lead with the
// state, not the day of finished jobs River keeps (10,000 users synced
// every 15 minutes leave a million).
func readUserSyncs(ctx context.Context, w *Worker) (map[string]userSyncs, error) {
	rows, err := w.opts.Pool.Query(ctx, `SELECT args->>'user',
		max(finalized_at) FILTER (WHERE state IN (`+ranStatesSQL+`)),
		bool_or(state IN (`+unfinishedStatesSQL+`))
		FROM river_job WHERE kind = $1 AND (state IN (`+unfinishedStatesSQL+`)
			OR state IN (`+ranStatesSQL+`) AND finalized_at >= now() - $2 * interval '1 microsecond')
		GROUP BY 1`, KindSyncUser, w.opts.Interval.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	defer rows.Close()
	out := map[string]userSyncs{}
	for rows.Next() {
		var u string
		var finished *time.Time
		var s userSyncs
		if err := rows.Scan(&u, &finished, &s.unfinished); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
		if finished != nil {
			s.lastFinished = *finished
		}
		out[u] = s
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
		max(finalized_at) FILTER (WHERE state IN (`+ranStatesSQL+`)),
		min(scheduled_at) FILTER (WHERE state IN (`+unfinishedStatesSQL+`))
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
