package adapters

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what a groupware item is.
type Kind string

const (
	KindMessage Kind = "message" // an e-mail
	KindEvent   Kind = "event"   // a calendar event (VEVENT, Exchange appointment)
	KindTask    Kind = "task"    // a task (VTODO, Exchange/To Do task)
)

// Kinds lists every kind in their canonical order.
var Kinds = []Kind{KindMessage, KindTask, KindEvent}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool { return k == KindMessage || k == KindEvent || k == KindTask }

// ActivityType is the type of a CRM activity.
type ActivityType string

const (
	TypeMailIn      ActivityType = "MAILIN"
	TypeTask        ActivityType = "TASK"
	TypeAppointment ActivityType = "APPOINTMENT"
	TypeMeeting     ActivityType = "MEETING"
	// TypeFollowUp is legacy: read from the CRM and handled exactly like an
	// APPOINTMENT; gwsync never creates one.
	TypeFollowUp ActivityType = "FOLLOWUP"
)

// ActivityTypes lists every activity type gwsync understands.
var ActivityTypes = []ActivityType{TypeMailIn, TypeTask, TypeAppointment, TypeMeeting, TypeFollowUp}

// Valid reports whether t is a known activity type.
func (t ActivityType) Valid() bool {
	for _, v := range ActivityTypes {
		if v == t {
			return true
		}
	}
	return false
}

// IsCalendar reports whether activities of this type live in a calendar
// (and so can be exported to groupware): appointments, meetings, follow-ups.
func (t ActivityType) IsCalendar() bool {
	return t == TypeAppointment || t == TypeMeeting || t == TypeFollowUp
}

// BusyStatus is how an event shows in free/busy.
type BusyStatus string

const (
	BusyUnknown          BusyStatus = ""
	BusyFree             BusyStatus = "free"
	BusyTentative        BusyStatus = "tentative"
	BusyBusy             BusyStatus = "busy"
	BusyOutOfOffice      BusyStatus = "out-of-office"
	BusyWorkingElsewhere BusyStatus = "working-elsewhere"
)

// BusyStatuses lists the known busy statuses ("" is unknown).
var BusyStatuses = []BusyStatus{BusyUnknown, BusyFree, BusyTentative, BusyBusy, BusyOutOfOffice, BusyWorkingElsewhere}

// ExportBusyStatus is what gwsync writes when it exports a CRM activity to
// groupware: the groupware's default, Busy (TRANSP:OPAQUE in iCalendar).
const ExportBusyStatus = BusyBusy

// Raster is the time raster of an item or activity: the only thing gwsync
// ever changes on an activity that already exists.
//
// Times are instants; a zero time means "not set". For all-day items Start
// and End hold midnight UTC of the first day and of the day after the last
// (iCalendar's exclusive DTEND), so an all-day date never shifts with the
// reader's zone. TimeZone is the zone the item was written in (IANA name, or
// "" for UTC/floating); it is kept so write-back can keep the author's zone,
// but it is not part of equality: the same instants in another zone are the
// same raster.
type Raster struct {
	Start    time.Time `json:"start,omitzero"`
	End      time.Time `json:"end,omitzero"`
	Due      time.Time `json:"due,omitzero"`
	AllDay   bool      `json:"all_day,omitempty"`
	TimeZone string    `json:"time_zone,omitempty"`
}

// Normalized returns r with every time in UTC, truncated to whole seconds,
// which is the precision of every groupware format gwsync reads.
func (r Raster) Normalized() Raster {
	n := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC().Truncate(time.Second)
	}
	return Raster{Start: n(r.Start), End: n(r.End), Due: n(r.Due), AllDay: r.AllDay, TimeZone: r.TimeZone}
}

// Equal reports whether two rasters describe the same times: same instants to
// the second and the same all-day flag. The time zone is ignored.
func (r Raster) Equal(o Raster) bool {
	a, b := r.Normalized(), o.Normalized()
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Due.Equal(b.Due) && a.AllDay == b.AllDay
}

// IsZero reports whether no time is set at all.
func (r Raster) IsZero() bool { return r.Start.IsZero() && r.End.IsZero() && r.Due.IsZero() }

// Anchor is the time used to place the raster in a sync window: the start,
// else the due time, else the end.
func (r Raster) Anchor() time.Time {
	switch {
	case !r.Start.IsZero():
		return r.Start
	case !r.Due.IsZero():
		return r.Due
	default:
		return r.End
	}
}

// String renders the raster compactly for tables and logs.
func (r Raster) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		if r.AllDay {
			return t.UTC().Format("2006-01-02")
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	}
	var parts []string
	switch {
	case !r.End.IsZero():
		parts = append(parts, f(r.Start)+" → "+f(r.End))
	case !r.Start.IsZero() && !r.Due.IsZero():
		parts = append(parts, "start "+f(r.Start))
	case !r.Start.IsZero():
		parts = append(parts, f(r.Start))
	}
	if !r.Due.IsZero() {
		parts = append(parts, "due "+f(r.Due))
	}
	if r.AllDay {
		parts = append(parts, "all-day")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// Window is the sync window: calendar items whose anchor lies outside it are
// not imported, and an item leaving it is not a deletion.
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Contains reports whether t lies in the window; zero bounds are open.
func (w Window) Contains(t time.Time) bool {
	if t.IsZero() {
		return true // an item without times is never "out of window"
	}
	if !w.From.IsZero() && t.Before(w.From) {
		return false
	}
	if !w.To.IsZero() && t.After(w.To) {
		return false
	}
	return true
}

// Attachment describes one attachment of a message.
type Attachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Size is the decoded size in bytes, as the source counted it.
	Size int64 `json:"size"`
	// Part is an opaque reference the item's source understands (for IMAP
	// the MIME body section, "2" or "1.2"), set on snapshot items only
	// when the source will serve the content through AttachmentReader:
	// "" means the content is not to be fetched.
	Part string `json:"part,omitempty"`
	// Data is the content, set by the engine on activities it sends to a
	// sink, and never in snapshots or listings: content is fetched lazily
	// at execution so that a snapshot stays small whatever the mail size.
	Data []byte `json:"data,omitempty"`
	// Stored is set by a sink in listings and upsert results when the CRM
	// holds the attachment's content (which a listing never carries).
	Stored bool `json:"stored,omitempty"`
}

// Item is one groupware item as a source reports it.
type Item struct {
	// ID identifies the item within its source and never changes while the
	// item exists (a file name, a CalDAV href, an IMAP mailbox+UID, an
	// Exchange item id). Write-back addresses items by ID.
	ID string `json:"id"`
	// Key is the item's identity across sources and users: "mid:" and the
	// Message-ID without its angle brackets for mail, "ical:" and the UID
	// (plus "/" and the RECURRENCE-ID in UTC) for events and tasks. The same e-mail in two folders, or the same meeting in two
	// users' calendars, has one Key and becomes one CRM activity.
	Key string `json:"key"`
	// Version changes whenever the item changes (ETag, ChangeKey, mtime).
	// It is passed back as IfVersion on write-back.
	Version  string     `json:"version,omitempty"`
	Kind     Kind       `json:"kind"`
	Raster   Raster     `json:"raster"`
	Busy     BusyStatus `json:"busy,omitempty"`
	Subject  string     `json:"subject,omitempty"`
	Body     string     `json:"body,omitempty"`
	Location string     `json:"location,omitempty"`
	// From is the sender of a message or the organizer of an event.
	From string   `json:"from,omitempty"`
	To   []string `json:"to,omitempty"`
	Cc   []string `json:"cc,omitempty"`
	// Attendees are the event's attendees other than the organizer.
	Attendees   []string     `json:"attendees,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Date is when a message was sent.
	Date time.Time `json:"date,omitzero"`
	// Modified is when the item last changed at the source, if known; it
	// decides the newest-wins conflict policy.
	Modified  time.Time `json:"modified,omitzero"`
	Completed bool      `json:"completed,omitempty"`
	Cancelled bool      `json:"cancelled,omitempty"`
	// Private marks an item its owner keeps to themselves (iCalendar
	// CLASS:PRIVATE or CONFIDENTIAL, Exchange sensitivity Private or
	// Confidential). The engine's private_items policy decides what of it
	// reaches the shared CRM.
	Private bool `json:"private,omitempty"`
	// Deleted marks a tombstone in an incremental snapshot.
	Deleted bool `json:"deleted,omitempty"`
	// ExportedFrom is the CRM activity id an item was exported from, read
	// back from the item itself (X-GWSYNC-ACTIVITY-ID). It lets a run that
	// died between the export and the link recognise its own export.
	ExportedFrom string `json:"exported_from,omitempty"`
	// Warnings are notes on what could not be read (a bad charset, a
	// truncated body); the item is still imported.
	Warnings []string `json:"warnings,omitempty"`
	// Unreadable is set when the item could not be read at all (a malformed
	// .ics, an e-mail without headers). ID names it and Unreadable says why;
	// the engine reports and skips it, keeps any link it has, and the source
	// offers it again next run. Nothing else in the item is meaningful.
	Unreadable string `json:"unreadable,omitempty"`
}

// Activity is one CRM activity.
type Activity struct {
	ID      string       `json:"id"`
	Version string       `json:"version,omitempty"`
	Type    ActivityType `json:"type"`
	Subject string       `json:"subject"`
	Body    string       `json:"body,omitempty"`
	Raster  Raster       `json:"raster"`
	Busy    BusyStatus   `json:"busy,omitempty"`
	// Owners are the CRM users the activity belongs to (gwsync user names).
	Owners []string `json:"owners,omitempty"`
	// Contacts are the e-mail addresses of the CRM contacts linked to it.
	Contacts    []string     `json:"contacts,omitempty"`
	Location    string       `json:"location,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Key is the groupware identity it was imported from (see Item.Key), or
	// "" for an activity created in the CRM.
	Key string `json:"key,omitempty"`
	// Source and SourceItem say where it was imported from.
	Source     string    `json:"source,omitempty"`
	SourceItem string    `json:"source_item,omitempty"`
	Modified   time.Time `json:"modified,omitzero"`
	// Change is the activity's place in the sink's change sequence (see
	// ChangeLister); 0 from a sink without one, and from ListActivities.
	Change int64 `json:"change,omitempty"`
}

// String names the activity for logs and errors.
func (a Activity) String() string { return fmt.Sprintf("%s %s %q", a.ID, a.Type, a.Subject) }
