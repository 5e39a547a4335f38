// Package prefs is the one rule for a user's effective settings: the
// config's values, overlaid with the values the user stored on the web
// client's "User preferences / Groupware" page for the keys the config
// lets the user change (`editable:`). The CLI (cmd/gwsync's opener) and
// the web client both read settings through Service.Effective, so a
// change made in the browser is what the next `gwsync sync` does too.
package prefs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state"
)

// WholeInbox is the Import Folder value that imports the whole inbox.
const WholeInbox = "INBOX"

// imapPlugin is the adapter whose `folder` option is the Import Folder.
const imapPlugin = "imap"

// Service reads and writes users' preferences over one config and state.
type Service struct {
	Config *config.Config
	Store  state.Preferences
}

// Effective returns the named user's settings: a copy of the config entry
// with the stored values of the editable keys in place of the config's.
// A stored value of a key the config no longer lets the user change is
// ignored (the admin's word wins). Errors: an unknown user, a store
// failure, a stored value that no longer reads (naming user and key).
func (s *Service) Effective(ctx context.Context, user string) (config.User, error) {
	u, err := s.Config.User(user)
	if err != nil {
		return config.User{}, err
	}
	stored, err := s.Store.UserPreferences(ctx, user)
	if err != nil {
		return config.User{}, err
	}
	return Apply(*u, stored)
}

// Apply is Effective's overlay without the store: u with the stored
// values of its editable keys applied. u's slices and options are not
// changed; the result has its own.
func Apply(u config.User, stored map[string]string) (config.User, error) {
	u.Areas = slices.Clone(u.Areas)
	u.Sources = slices.Clone(u.Sources)
	for _, key := range config.EditableKeys {
		v, ok := stored[key]
		if !ok || !u.MayEdit(key) {
			continue
		}
		if err := apply(&u, key, v); err != nil {
			return u, fmt.Errorf("preference %s of user %s (stored %q): %w", key, u.Name, v, err)
		}
	}
	return u, nil
}

// apply sets one key of u to a value Check accepted.
func apply(u *config.User, key, v string) error {
	switch key {
	case config.EditImportFolder:
		for i, sp := range u.Sources {
			if sp.Plugin != imapPlugin {
				continue
			}
			opts, err := withFolder(sp.Options, v)
			if err != nil {
				return fmt.Errorf("source %s: %w", sp.Name, err)
			}
			u.Sources[i].Options = opts
		}
	case config.EditAreas:
		areas, err := parseAreas(v, u.Areas)
		if err != nil {
			return err
		}
		u.Areas = areas
	case config.EditAutomaticMatching:
		u.AutomaticMatching = v == "true"
	case config.EditWindow:
		w, err := parseWindow(v)
		if err != nil {
			return err
		}
		u.Window = w
	case config.EditTimeZone:
		if err := checkZone(v); err != nil {
			return err
		}
		u.TimeZone = v
	}
	return nil
}

// withFolder returns options with `folder` set to name and `folders`
// removed: the user names one Import Folder, which replaces the config's
// list.
func withFolder(options json.RawMessage, name string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(options) > 0 {
		if err := json.Unmarshal(options, &m); err != nil {
			return nil, err
		}
	}
	b, _ := json.Marshal(name)
	m["folder"] = b
	delete(m, "folders")
	return json.Marshal(m)
}

// Check validates and normalises a value the user typed for key against
// the user's config entry. Errors are sentences for the user.
func Check(u config.User, key, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch key {
	case config.EditImportFolder:
		if v == "" {
			return "", fmt.Errorf("name the Import Folder, or choose the whole inbox")
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return "", fmt.Errorf("a folder name is one line")
		}
		if strings.EqualFold(v, WholeInbox) {
			v = WholeInbox
		}
		return v, nil
	case config.EditAreas:
		areas, err := parseAreas(v, u.Areas)
		if err != nil {
			return "", err
		}
		return strings.Join(areas, ","), nil
	case config.EditAutomaticMatching:
		if v != "true" && v != "false" {
			return "", fmt.Errorf("automatic matching is on or off")
		}
		return v, nil
	case config.EditWindow:
		w, err := parseWindow(v)
		if err != nil {
			return "", err
		}
		return FormatWindow(w), nil
	case config.EditTimeZone:
		if err := checkZone(v); err != nil {
			return "", err
		}
		return v, nil
	}
	return "", fmt.Errorf("%q is not a preference (one of %s)", key, strings.Join(config.EditableKeys, ", "))
}

// parseAreas reads "emails,tasks": areas among allowed (the config's), at
// least one, in allowed's order.
func parseAreas(v string, allowed []string) ([]string, error) {
	picked := map[string]bool{}
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if !slices.Contains(allowed, a) {
			return nil, fmt.Errorf("area %q is not offered to you (offered: %s)", a, strings.Join(allowed, ", "))
		}
		picked[a] = true
	}
	var out []string
	for _, a := range allowed {
		if picked[a] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("choose at least one area")
	}
	return out, nil
}

// parseWindow reads "PAST/FUTURE" in the config's duration notation
// ("30d/365d").
func parseWindow(v string) (config.Window, error) {
	past, future, ok := strings.Cut(v, "/")
	if !ok {
		return config.Window{}, fmt.Errorf("the sync window is PAST/FUTURE, e.g. 30d/365d")
	}
	p, err := config.ParseDuration(strings.TrimSpace(past))
	if err != nil {
		return config.Window{}, fmt.Errorf("past of the sync window: %w", err)
	}
	f, err := config.ParseDuration(strings.TrimSpace(future))
	if err != nil {
		return config.Window{}, fmt.Errorf("future of the sync window: %w", err)
	}
	return config.Window{Past: p, Future: f}, nil
}

// FormatWindow writes a window as parseWindow reads it.
func FormatWindow(w config.Window) string {
	return config.FormatDuration(w.Past) + "/" + config.FormatDuration(w.Future)
}

// checkZone accepts IANA zone names, as the config does ("Local" differs
// between machines and is refused).
func checkZone(v string) error {
	if v == "" || v == "Local" {
		return fmt.Errorf("%q is not a time zone; name one such as Europe/Berlin or UTC", v)
	}
	if _, err := time.LoadLocation(v); err != nil {
		return fmt.Errorf("%q is not a known time zone (IANA names such as Europe/Berlin)", v)
	}
	return nil
}
