package adapters

import "context"

// Sink is a CRM: where activities are created and whose time edits flow
// back. Like a Source it is built without I/O and connects on first use.
type Sink interface {
	// Info describes the sink. Errors: Unauthorized, Temporary.
	Info(ctx context.Context) (Info, error)

	// ListActivities emits the activities that belong to q.Owner, then
	// returns how many it emitted. Errors as for Source.Snapshot: any error
	// means the listing is incomplete, and nothing may be concluded from it.
	ListActivities(ctx context.Context, q ActivityQuery, emit func(Activity) error) (ListEnd, error)

	// Upsert creates one activity per request, idempotently by Key: when
	// an activity with that Key exists already (a retry after a crash, or
	// the same e-mail in another user's mailbox), it is returned with
	// Created=false, the request's owners and contacts are added to it,
	// and nothing else on it changes. Results come back one per request,
	// in order; per-item failures (InvalidItem) go in the result. A
	// result's Activity is what the CRM holds, except that its Body may be
	// left out (over the plugin wire it always is: the caller sent it).
	Upsert(ctx context.Context, activities []Activity) ([]UpsertResult, error)

	// UpdateTimes changes only the raster of existing activities, checking
	// IfVersion as Source's PutTimes does (Conflict when the activity
	// changed since, NotFound when it is gone).
	UpdateTimes(ctx context.Context, changes []TimeChange) ([]ChangeResult, error)

	// Close releases the store. Safe to call more than once.
	Close() error
}

// ActivityQuery selects activities to list.
type ActivityQuery struct {
	Owner string         `json:"owner"`
	Types []ActivityType `json:"types,omitempty"` // empty means all
}

// ListEnd closes an activity listing.
type ListEnd struct {
	Count int64 `json:"count"`
}

// UpsertResult is the outcome of one Upsert request.
type UpsertResult struct {
	Key      string   `json:"key"`
	Activity Activity `json:"activity"`
	Created  bool     `json:"created"`
	Err      error    `json:"-"`
}

// ChangeLister is a sink's optional change cursor (declared as
// Capabilities.ListChanges in Info): every insert or update of an
// activity, and every owner added to one, gives it a number
// (Activity.Change; the changes of one transaction may share one) above
// the cursor of every listing that ran before the change was committed,
// so a caller that stored the cursor of its last listing lists only what
// changed since. Deletions leave no
// number: a caller finds them by a full ListActivities now and then (the
// engine's periodic consistency check).
type ChangeLister interface {
	// ListChanges emits the activities of q.Owner (of q.Types, empty
	// means all) whose Change is greater than q.Since (0: every
	// activity), then returns how many it emitted and the cursor to pass
	// as Since next time: at least q.Since, and never beyond a change
	// that was not yet visible to this listing (one whose transaction was
	// still open). It may be below a Change it emitted, when an older
	// change could still commit: the next listing emits that activity
	// again (the engine compares it with what it stored, so unchanged it
	// changes nothing).
	//
	// The listing is narrow: an activity carries ID, Key, Type, Subject,
	// Raster, Version, Modified and Change only, because a caller that
	// compares times has no use for bodies; one created in the CRM (Key
	// "") comes whole, as ListActivities would emit it, because it may be
	// exported.
	//
	// Errors as for ListActivities (any error means the listing is
	// incomplete), and CursorInvalid when q.Since is beyond this store's
	// sequence (a database restored from a backup, or another one): the
	// caller then takes a full listing.
	ListChanges(ctx context.Context, q ChangeQuery, emit func(Activity) error) (ChangeEnd, error)
}

// ChangeQuery selects the changed activities to list.
type ChangeQuery struct {
	Owner string         `json:"owner"`
	Types []ActivityType `json:"types,omitempty"` // empty means all
	Since int64          `json:"since,omitempty"`
}

// ChangeEnd closes a change listing.
type ChangeEnd struct {
	Count  int64 `json:"count"`
	Cursor int64 `json:"cursor"`
}
