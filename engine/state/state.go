// Package state is the engine's own memory: which groupware item is linked
// to which CRM activity, the raster both sides last agreed on (the base of
// the three-way compare), per-source cursors, and a journal of runs.
//
// Store is the interface. Its implementations live apart, so that the
// engine links no database driver: engine/state/sqlite is the embedded
// default, and engine/state/stores.Open picks one from a DSN
// ("sqlite:PATH"). A PostgreSQL store for many workers implements the same
// interface.
//
// Times are stored in UTC to the second: a Link or Run read back holds UTC
// times, and the zero time means "not set".
package state

import (
	"context"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Link ties one groupware item (of one user's source) to one CRM activity.
type Link struct {
	User   string // gwsync user name
	Source string // source instance name from the config
	ItemID string // adapters.Item.ID
	Key    string // adapters.Item.Key
	Kind   adapters.Kind
	// ActivityID is the CRM activity.
	ActivityID string
	// Base is the raster both sides had when they last agreed.
	Base adapters.Raster
	// ItemVersion and ActivityVersion are the versions seen at that moment.
	ItemVersion     string
	ActivityVersion string
	UpdatedAt       time.Time
	// PendingSide and Pending record a time change the executor was about
	// to write ("crm" or "groupware"; "" when none): saved before the
	// write, cleared after it, so that after a crash the planner can tell
	// whether that side shows its own write.
	PendingSide string
	Pending     adapters.Raster
	// CreatedRun is the run whose create made the link's activity (0 if
	// not known, or linked otherwise). The journal keeps no row per
	// successful create (issue 13: only what a person needs), so this is
	// how "the activities run N created" is answered. Writing a link with
	// 0 keeps the value stored.
	CreatedRun int64
}

// LinkQuery names links by what the planner knows of them; a link
// matches when any list names it.
type LinkQuery struct {
	Items       []ItemRef // by (Source, ItemID)
	Keys        []string  // by Key
	ActivityIDs []string  // by ActivityID
}

// ItemRef names a source item.
type ItemRef struct{ Source, ItemID string }

// LinkLookupBatch is how many names one store statement looks up: small
// enough for any database's parameter limit, large enough that a lookup of
// thousands costs a few statements.
const LinkLookupBatch = 400

// Sides a pending write can target.
const (
	SideCRM       = "crm"
	SideGroupware = "groupware"
)

// Run is one entry of the run journal.
type Run struct {
	ID       int64
	User     string
	Started  time.Time
	Finished time.Time // zero while running, or if the run was killed
	DryRun   bool
	// Status is "running", "ok", "partial" (some items failed) or "failed".
	Status string
	// Counts by outcome ("created", "updated-crm", "failed", ...).
	Counts map[string]int
	Error  string // why a failed run failed
}

// ItemResult is what happened to one item or action in a run.
type ItemResult struct {
	RunID    int64
	ActionID string
	Source   string
	ItemID   string // source item id, or CRM activity id for exports
	Kind     string // action kind ("create", "update-crm", ..., "unreadable")
	Outcome  string // "ok", "failed", "skipped"
	Error    string
	At       time.Time
}

// Store persists links, cursors and the run journal. All methods are safe
// for concurrent use.
type Store interface {
	// Links calls fn for every link of the user, in no defined order.
	// Returning an error from fn stops the walk and returns it.
	Links(ctx context.Context, user string, fn func(Link) error) error
	// PutLinks inserts or replaces links, keyed by (User, Source, ItemID),
	// atomically: either all are written or none.
	PutLinks(ctx context.Context, links []Link) error
	// FindLinks calls fn once for each link of the user that q names (by
	// any of its lists), in no defined order: the links a plan needs when
	// it does not load them all (items a source listed, keys of new items,
	// activities the CRM changed). Lists of any length are looked up in
	// batches; names that match nothing are not an error. Returning an
	// error from fn stops the walk and returns it.
	FindLinks(ctx context.Context, user string, q LinkQuery, fn func(Link) error) error
	// DeleteLink removes one link; a missing link is not an error.
	DeleteLink(ctx context.Context, user, source, itemID string) error

	// Cursor returns the stored cursor of a user's source, "" if none.
	Cursor(ctx context.Context, user, source string) (string, error)
	// SetCursor stores a cursor; "" clears it.
	SetCursor(ctx context.Context, user, source, cursor string) error

	// BeginRun starts a journal entry and returns its id.
	BeginRun(ctx context.Context, user string, dryRun bool) (int64, error)
	// RecordItems appends per-item results to a run.
	RecordItems(ctx context.Context, results []ItemResult) error
	// ApplyBatch does PutLinks and RecordItems atomically: both or neither.
	ApplyBatch(ctx context.Context, links []Link, results []ItemResult) error
	// FinishRun closes a run with its status, counts and error.
	FinishRun(ctx context.Context, runID int64, status string, counts map[string]int, errMsg string) error
	// Runs returns the user's latest runs, newest first ("" = all users).
	Runs(ctx context.Context, user string, limit int) ([]Run, error)
	// RunItems returns the results recorded for a run, in order.
	RunItems(ctx context.Context, runID int64) ([]ItemResult, error)
	// CreatedBy returns the items whose links run runID created
	// (Link.CreatedRun), in no defined order; none for an unknown run.
	CreatedBy(ctx context.Context, runID int64) ([]ItemRef, error)
	// Cursors returns every stored cursor of a user as source → cursor.
	Cursors(ctx context.Context, user string) (map[string]string, error)
	// RecordIdle journals a run that found nothing to apply and returns
	// its entry's id. Consecutive idle runs of a user share one entry
	// (status StatusIdle): its Finished is the latest check and
	// Counts["checks"] how many there were, so a scheduler that finds
	// nothing every five minutes adds no rows.
	RecordIdle(ctx context.Context, user string) (int64, error)

	// SettleRun records the end of a run in one transaction: its cursors,
	// its journal entry (FinishRun, or RecordIdle for an idle check) and
	// its failures (SettleFailures); all or nothing. A store may commit an
	// idle check that changes nothing but the idle entry without waiting
	// for the disk (the entry only says when the user was last looked at);
	// everything else is as durable as the separate calls.
	SettleRun(ctx context.Context, s Settlement) (Settled, error)

	// SettleFailures records the failures a run met, atomically, and
	// returns them with FirstSeen, Attempts and New filled in: a failure
	// met before with the same reason keeps its FirstSeen and counts one
	// more attempt. Every other stored failure of the user is resolved
	// (removed), except those of the sources in unknown: sources whose
	// items this run could not see (a listing that failed, a source not
	// asked), whose failures stay as they were.
	SettleFailures(ctx context.Context, user string, failures []Failure, unknown []string) ([]Failure, error)
	// Failures returns the user's outstanding failures, oldest first.
	Failures(ctx context.Context, user string) ([]Failure, error)

	// TryLease takes the user's lease until now+ttl when nobody holds it
	// or the holder's lease has expired, with a new Token. When another
	// holder has it, the error is a *BusyError naming them. A store shared
	// by several hosts measures now and expiry by its own clock.
	TryLease(ctx context.Context, user string, h Holder, ttl time.Duration) (Lease, error)
	// TryLeaseForRun is TryLease that also reads, when it took the lease,
	// what a run of the user reads first: the stored preferences (as
	// UserPreferences) and cursors (as Cursors). A worker's job needs them
	// at its start, and a store on a database server reads them in the
	// lease's round trip. While the lease is held no other run can change
	// them. On any error it holds no lease.
	TryLeaseForRun(ctx context.Context, user string, h Holder, ttl time.Duration) (Lease, RunStart, error)
	// RenewLease moves the lease's expiry to now+ttl and returns it; the
	// error wraps ErrLeaseLost when l.Token no longer holds the lease.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease ends the holding; a lease already lost or released is
	// not an error.
	ReleaseLease(ctx context.Context, l Lease) error

	// Preferences keeps each user's own settings and their journal.
	Preferences

	Close() error
}
