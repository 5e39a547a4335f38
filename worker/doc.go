// Package worker runs users' syncs as River jobs on PostgreSQL, so that
// any number of `gwsync worker` and `gwsync serve` processes share the
// work and one user is never synced twice at once.
//
// A sync is a job of kind "sync_user" (SyncUserArgs), unique per user
// while it is queued, scheduled, running or waiting for a retry: enqueuing
// a user who already has one adds nothing. Its worker takes the user's
// lease (state.LockUser) before it plans, so that a CLI run or an attempt
// River rescued from a worker that only looked dead waits (the job is
// snoozed) instead of running beside it. The run itself is the engine's
// one lifecycle (engine.Sync, or Start/select/Apply when a person chose
// what to apply: a reviewed run applies only the action ids the person saw
// selected, never an item that appeared since), which is crash-safe: a worker killed mid-run leaves a
// job River rescues after RescueAfter, and the next attempt creates no
// duplicate and loses nothing.
//
// Automatic users are scheduled by a periodic job ("sync_schedule") that
// River runs on its elected leader only: it enqueues a sync for every
// automatic user whose last sync finished at least Interval ago, reading
// that from River's own table, so the schedule survives restarts and N
// replicas do not fire N times.
//
// Worker runs jobs; Queue only inserts and inspects them (for `gwsync
// jobs` and the web client, through worker/webjobs), and says when the
// schedule syncs a user next (NextRuns). Migrate creates River's tables.
package worker
