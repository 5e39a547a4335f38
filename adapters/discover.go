package adapters

import "context"

// Offer is one thing a source's server offers that a config can select:
// a calendar, a task list, a mail folder (`gwsync discover` lists them).
type Offer struct {
	// What it is: "calendar", "task list", "folder".
	What string `json:"what"`
	// Name is its display name.
	Name string `json:"name"`
	// Path is what goes into Option to select it.
	Path string `json:"path"`
	// Option is the source option that selects it: calendars, task_lists,
	// folders.
	Option string `json:"option"`
	// Components are a calendar collection's component types (VEVENT,
	// VTODO), as the server declares them.
	Components []string `json:"components,omitempty"`
	// Messages counts a folder's messages; -1 when not counted.
	Messages int64 `json:"messages"`
	// SpecialUse is a folder's RFC 6154 use (\Sent, \Trash, ...).
	SpecialUse string `json:"special_use,omitempty"`
}

// Discoverer is an optional capability of a source: it lists what its
// server offers, so that a user picks calendar paths and folder names
// instead of guessing them. It connects (and logs in) but reads no item.
// It is used in process by `gwsync discover` and does not cross the plugin
// wire. Errors: as Info.
type Discoverer interface {
	Discover(ctx context.Context) ([]Offer, error)
}
