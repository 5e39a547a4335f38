package graph

import "encoding/json"

// The JSON shapes of the Graph resources gwsync reads and writes, as
// documented in the Microsoft Graph v1.0 reference (message, event,
// todoTask, dateTimeTimeZone, itemBody, recipient).

type page struct {
	Value     []json.RawMessage `json:"value"`
	NextLink  string            `json:"@odata.nextLink"`
	DeltaLink string            `json:"@odata.deltaLink"`
}

type itemBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

type emailAddress struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

type recipient struct {
	EmailAddress emailAddress `json:"emailAddress"`
}

type dateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

type removed struct {
	Reason string `json:"reason"`
}

type extendedProperty struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

type message struct {
	ID                string      `json:"id"`
	ETag              string      `json:"@odata.etag"`
	Removed           *removed    `json:"@removed"`
	InternetMessageID string      `json:"internetMessageId"`
	Subject           string      `json:"subject"`
	From              *recipient  `json:"from"`
	Sender            *recipient  `json:"sender"`
	To                []recipient `json:"toRecipients"`
	Cc                []recipient `json:"ccRecipients"`
	SentDateTime      string      `json:"sentDateTime"`
	ReceivedDateTime  string      `json:"receivedDateTime"`
	LastModified      string      `json:"lastModifiedDateTime"`
	Body              *itemBody   `json:"body"`
	HasAttachments    bool        `json:"hasAttachments"`
}

type attendee struct {
	EmailAddress emailAddress `json:"emailAddress"`
	Type         string       `json:"type"`
}

type location struct {
	DisplayName string `json:"displayName"`
}

type event struct {
	ID                    string             `json:"id"`
	ETag                  string             `json:"@odata.etag"`
	Removed               *removed           `json:"@removed"`
	ICalUID               string             `json:"iCalUId"`
	Type                  string             `json:"type"`
	OriginalStart         string             `json:"originalStart"`
	Subject               string             `json:"subject"`
	Body                  *itemBody          `json:"body"`
	Start                 *dateTimeTimeZone  `json:"start"`
	End                   *dateTimeTimeZone  `json:"end"`
	OriginalStartTimeZone string             `json:"originalStartTimeZone"`
	IsAllDay              bool               `json:"isAllDay"`
	IsCancelled           bool               `json:"isCancelled"`
	Sensitivity           string             `json:"sensitivity"`
	ShowAs                string             `json:"showAs"`
	Organizer             *recipient         `json:"organizer"`
	Attendees             []attendee         `json:"attendees"`
	Location              *location          `json:"location"`
	LastModified          string             `json:"lastModifiedDateTime"`
	ExtendedProperties    []extendedProperty `json:"singleValueExtendedProperties"`
}

type todoList struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

type todoTask struct {
	ID           string            `json:"id"`
	ETag         string            `json:"@odata.etag"`
	Removed      *removed          `json:"@removed"`
	Title        string            `json:"title"`
	Body         *itemBody         `json:"body"`
	Status       string            `json:"status"`
	Due          *dateTimeTimeZone `json:"dueDateTime"`
	Start        *dateTimeTimeZone `json:"startDateTime"`
	LastModified string            `json:"lastModifiedDateTime"`
}

type mailFolder struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// graphError is Graph's error body.
type graphError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}
