package adapters

import "context"

// Source is a groupware store: an IMAP account, a CalDAV server, a folder
// of exported files. A Source is built by its registered constructor, which
// must not do I/O; the first call connects.
type Source interface {
	// Info describes the source. It may connect to check credentials.
	// Errors: Unauthorized, Temporary, InvalidConfig.
	Info(ctx context.Context) (Info, error)

	// Snapshot emits the source's items of the requested kinds, one call of
	// emit per item, in any order, then returns how many it emitted.
	//
	// With an empty Cursor the snapshot is complete (SnapshotEnd.Complete):
	// an item the engine knows that is not emitted is gone from the source
	// (or out of the window). With a Cursor from an earlier SnapshotEnd a
	// source that supports it may emit only what changed since, with
	// deletions as tombstones (Item.Deleted), and report Complete=false.
	//
	// Errors: CursorInvalid when the cursor is no longer accepted (the
	// engine retries with no cursor; it never reads this as "deleted");
	// Unauthorized; Temporary. An item that cannot be read is NOT an error:
	// emit it with Item.Unreadable set. If emit returns an error, stop and
	// return that error. Any error means the listing is incomplete and
	// nothing may be concluded from what was emitted.
	Snapshot(ctx context.Context, req SnapshotRequest, emit func(Item) error) (SnapshotEnd, error)

	// Close releases connections. It is safe to call more than once.
	Close() error
}

// SnapshotRequest says what a snapshot should cover.
type SnapshotRequest struct {
	Kinds []Kind `json:"kinds,omitempty"` // empty means every kind the source has
	// Window bounds calendar items; a source may ignore it (the engine
	// filters again) but must not use it to drop messages.
	Window Window `json:"window"`
	Cursor string `json:"cursor,omitempty"`
}

// Wants reports whether the request covers items of kind k.
func (r SnapshotRequest) Wants(k Kind) bool {
	if len(r.Kinds) == 0 {
		return true
	}
	for _, w := range r.Kinds {
		if w == k {
			return true
		}
	}
	return false
}

// SnapshotEnd closes a snapshot.
type SnapshotEnd struct {
	Count    int64  `json:"count"`
	Cursor   string `json:"cursor,omitempty"`
	Complete bool   `json:"complete"`
}

// TimeWriter is implemented by sources that can take a time change made in
// the CRM back into groupware.
type TimeWriter interface {
	// PutTimes changes only the time raster of existing items. Each change
	// carries the Version the engine last saw; a source that has a newer
	// version reports that item with Conflict and writes nothing. Results
	// come back one per change, in order. Per-item failures go in the
	// result (NotFound, Conflict, InvalidItem); the error return is for
	// failures of the whole call (Unauthorized, Temporary).
	PutTimes(ctx context.Context, changes []TimeChange) ([]ChangeResult, error)
}

// Exporter is implemented by sources that can create calendar items from
// CRM activities (appointments, meetings, follow-ups).
type Exporter interface {
	// Export creates one new item per activity, with the busy status
	// ExportBusyStatus and the activity id stored in the item, and returns
	// the created items in order. It is idempotent by activity id: when an
	// item exported from that activity already exists, Export returns it
	// instead of creating a second one. Per-item failures go in the result.
	Export(ctx context.Context, activities []Activity) ([]ExportResult, error)
}

// AttachmentReader is implemented by sources that can hand out the content
// of the attachments they list with a Part.
type AttachmentReader interface {
	// ReadAttachment returns the decoded content (base64 or
	// quoted-printable undone) of the attachment Part of item itemID, as
	// listed by the last snapshot. limit is a safety bound: a source never
	// holds more than about limit bytes of it, whatever the item says.
	//
	// Errors: NotFound when the item or the part is gone (the message was
	// deleted, its folder recreated with another UIDVALIDITY, an unknown
	// part); InvalidItem when the decoded content exceeds limit or cannot
	// be decoded; Temporary for connection trouble; Unauthorized.
	ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error)
}

// Committer is implemented by sources that act on their items once they
// are safely in the CRM (the IMAP adapter's after_import flag or move).
type Committer interface {
	// Committed tells the source that the engine has stored cursor: every
	// item of the snapshot that produced it, up to that cursor, is in the
	// CRM, and the source may now act on them. cursor is exactly the
	// SnapshotEnd.Cursor of that snapshot. The engine calls it at most
	// once per stored cursor, right after storing it, never for a dry run
	// or a cursor it held back.
	//
	// Errors (Temporary, Unauthorized, NotFound, ...) are logged and
	// reported in the run's result by the engine; they never fail the run
	// and the cursor stays stored. So the source must stay correct when
	// Committed is never called (a crash between storing the cursor and
	// the call, an error): it must catch up from the stored cursor at its
	// next Snapshot, and whatever it does must be harmless when done twice
	// (once here, once in that catch-up).
	Committed(ctx context.Context, cursor string) error
}

// TimeChange asks to set the raster of one item or activity.
type TimeChange struct {
	ID        string `json:"id"`
	IfVersion string `json:"if_version,omitempty"` // "" means unconditional
	Raster    Raster `json:"raster"`
}

// ChangeResult is the outcome of one TimeChange.
type ChangeResult struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"` // the new version after the write
	Err     error  `json:"-"`
}

// ExportResult is the outcome of exporting one activity.
type ExportResult struct {
	ActivityID string `json:"activity_id"`
	Item       Item   `json:"item"`
	// Existed is true when the item had been exported before and was
	// returned rather than created.
	Existed bool  `json:"existed,omitempty"`
	Err     error `json:"-"`
}

// Info describes an adapter instance.
type Info struct {
	Name         string       `json:"name"`
	Version      string       `json:"version,omitempty"`
	Kinds        []Kind       `json:"kinds,omitempty"`
	Capabilities Capabilities `json:"capabilities"`
}

// Capabilities says which optional interfaces an adapter implements. An
// adapter declares them once, in Info (with CapabilitiesOf, narrowed to
// what the instance uses), and that declaration is the only truth: the
// engine, the conformance suite and the plugin host read Info, never the
// Go type, because an adapter behind the plugin wire is always the same
// Go type implementing everything.
type Capabilities struct {
	WriteTimes      bool `json:"write_times,omitempty"`      // Source implements TimeWriter
	Export          bool `json:"export,omitempty"`           // Source implements Exporter
	Incremental     bool `json:"incremental,omitempty"`      // Snapshot honours cursors
	ReadAttachments bool `json:"read_attachments,omitempty"` // Source implements AttachmentReader
	Committed       bool `json:"committed,omitempty"`        // Source implements Committer
	ListChanges     bool `json:"list_changes,omitempty"`     // Sink implements ChangeLister
}

// CapabilitiesOf fills the capabilities an in-process value has by type
// assertion; adapters call it from Info so the flags cannot drift from the
// code.
func CapabilitiesOf(v any, incremental bool) Capabilities {
	_, w := v.(TimeWriter)
	_, e := v.(Exporter)
	_, r := v.(AttachmentReader)
	_, c := v.(Committer)
	_, l := v.(ChangeLister)
	return Capabilities{WriteTimes: w, Export: e, Incremental: incremental, ReadAttachments: r, Committed: c, ListChanges: l}
}
