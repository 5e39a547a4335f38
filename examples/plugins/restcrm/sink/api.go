package restcrm

import "time"

// The JSON of the REST shape (README.md), the sink's side of it. The
// reference server has its own copy: a real CRM shares no code with a
// plugin, and the tests prove that both sides agree.

type apiActivity struct {
	ID          string          `json:"id,omitempty"`
	Version     string          `json:"version,omitempty"`
	Type        string          `json:"type"`
	Subject     string          `json:"subject"`
	Body        string          `json:"body,omitempty"`
	Start       *time.Time      `json:"start,omitempty"`
	End         *time.Time      `json:"end,omitempty"`
	Due         *time.Time      `json:"due,omitempty"`
	AllDay      bool            `json:"all_day,omitempty"`
	TimeZone    string          `json:"time_zone,omitempty"`
	Busy        string          `json:"busy,omitempty"`
	Location    string          `json:"location,omitempty"`
	Owners      []string        `json:"owners"`
	Contacts    []apiContactRef `json:"contacts"`
	Attachments []apiAttachment `json:"attachments,omitempty"`
	Key         string          `json:"key,omitempty"`
	Source      string          `json:"source,omitempty"`
	SourceItem  string          `json:"source_item,omitempty"`
	Modified    *time.Time      `json:"modified,omitempty"`
}

type apiContactRef struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email"`
}

type apiAttachment struct {
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"`
	Size   int64  `json:"size"`
	Data   []byte `json:"data,omitempty"`
	Stored bool   `json:"stored,omitempty"`
}

type apiTimes struct {
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
	AllDay   bool       `json:"all_day,omitempty"`
	TimeZone string     `json:"time_zone,omitempty"`
}

type apiPage struct {
	Activities    []apiActivity `json:"activities"`
	NextPageToken string        `json:"next_page_token,omitempty"`
}

type apiBatch struct {
	Activities []apiActivity `json:"activities"`
}

type apiBatchResult struct {
	Activity *apiActivity `json:"activity,omitempty"`
	Created  bool         `json:"created,omitempty"`
	Error    *apiError    `json:"error,omitempty"`
}

type apiBatchResponse struct {
	Results []apiBatchResult `json:"results"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type apiErrorBody struct {
	Error apiError `json:"error"`
}
