// Package refserver is the reference server of the example REST CRM
// (examples/plugins/restcrm/README.md documents the shape): activities and
// contacts over HTTP/JSON, kept in memory. The example sink is tested
// against it, so the shape it serves is the one a real CRM implements.
package refserver

import "time"

// Activity is an activity as the REST CRM serves it. Times are RFC 3339;
// a missing time is "not set".
type Activity struct {
	ID          string       `json:"id,omitempty"`
	Version     string       `json:"version,omitempty"`
	Type        string       `json:"type"`
	Subject     string       `json:"subject"`
	Body        string       `json:"body,omitempty"`
	Start       *time.Time   `json:"start,omitempty"`
	End         *time.Time   `json:"end,omitempty"`
	Due         *time.Time   `json:"due,omitempty"`
	AllDay      bool         `json:"all_day,omitempty"`
	TimeZone    string       `json:"time_zone,omitempty"`
	Busy        string       `json:"busy,omitempty"`
	Location    string       `json:"location,omitempty"`
	Owners      []string     `json:"owners"`
	Contacts    []ContactRef `json:"contacts"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Key         string       `json:"key,omitempty"`
	Source      string       `json:"source,omitempty"`
	SourceItem  string       `json:"source_item,omitempty"`
	Modified    *time.Time   `json:"modified,omitempty"`
}

// ContactRef links an activity to a contact. A client sends the e-mail;
// the server links the contact with that address, creating it if needed.
type ContactRef struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email"`
}

// Attachment is a file of an activity. Data (base64 in JSON) is sent on
// create and never listed; Stored says the CRM holds the content.
type Attachment struct {
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"`
	Size   int64  `json:"size"`
	Data   []byte `json:"data,omitempty"`
	Stored bool   `json:"stored,omitempty"`
}

// Contact is a person the CRM knows, by e-mail address (unique, lower case).
type Contact struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Times is the body of PATCH /activities/{id}/times.
type Times struct {
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
	AllDay   bool       `json:"all_day,omitempty"`
	TimeZone string     `json:"time_zone,omitempty"`
}

// ActivityPage is the body of GET /activities.
type ActivityPage struct {
	Activities    []Activity `json:"activities"`
	NextPageToken string     `json:"next_page_token,omitempty"`
}

// BatchRequest is the body of POST /activities/batch.
type BatchRequest struct {
	Activities []Activity `json:"activities"`
}

// BatchResult is one activity's outcome in POST /activities/batch: the
// activity and whether it was created, or an error.
type BatchResult struct {
	Activity *Activity `json:"activity,omitempty"`
	Created  bool      `json:"created,omitempty"`
	Error    *Error    `json:"error,omitempty"`
}

// BatchResponse is the answer of POST /activities/batch, one result per
// activity, in order.
type BatchResponse struct {
	Results []BatchResult `json:"results"`
}

// Error is every error body: {"error": {"code": "...", "message": "..."}}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorBody wraps an Error.
type ErrorBody struct {
	Error Error `json:"error"`
}

// The error codes of the REST CRM (README: "Errors").
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeNotFound     = "not_found"
	CodeVersion      = "version_mismatch"
	CodeInvalid      = "invalid_activity"
	CodeExists       = "exists"
)

// ActivityTypes are the types the CRM stores. FOLLOWUP is one of them
// (reminders its users make) but is never created through the API.
var ActivityTypes = []string{"MAILIN", "TASK", "APPOINTMENT", "MEETING", "FOLLOWUP"}
