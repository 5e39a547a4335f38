package state

import (
	"context"
	"time"
)

// PreferenceChange is one entry of a user's preferences journal: who
// changed which key, when, from what to what. Old is "" when the key had
// no stored value (the admin's default applied); New is "" when the
// stored value was removed (back to the default).
type PreferenceChange struct {
	ID   int64
	User string
	Key  string
	Old  string
	New  string
	// By is who made the change (the logged-in user's name, or an admin
	// tool's name).
	By string
	At time.Time
}

// Preferences is the part of Store that keeps each user's own settings
// (the web client's "User preferences / Groupware" page). Keys and values
// are opaque text here; which keys exist and which a user may change is
// the config's business (package prefs).
type Preferences interface {
	// UserPreferences returns the user's stored values as key → value;
	// an empty map, never nil, when there are none.
	UserPreferences(ctx context.Context, user string) (map[string]string, error)
	// SetUserPreferences stores values (key → value; "" removes the
	// stored value) and journals each key whose value changed, in one
	// transaction. It returns the changes it journalled, in key order,
	// with ID and At filled in; a value equal to the stored one is no
	// change and is not journalled.
	SetUserPreferences(ctx context.Context, user, by string, values map[string]string) ([]PreferenceChange, error)
	// PreferenceChanges returns the user's latest journalled changes,
	// newest first, at most limit (limit <= 0: all).
	PreferenceChanges(ctx context.Context, user string, limit int) ([]PreferenceChange, error)
}
