package prefs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state"
)

// Field is one setting as the preferences page shows it.
type Field struct {
	Key string
	// Value is the effective value; Default the config's.
	Value, Default string
	// Editable says whether the user may change it; the page shows the
	// others read-only.
	Editable bool
}

// Fields returns the user's settings in config.EditableKeys order.
func (s *Service) Fields(ctx context.Context, user string) ([]Field, config.User, error) {
	u, err := s.Config.User(user)
	if err != nil {
		return nil, config.User{}, err
	}
	eff, err := s.Effective(ctx, user)
	if err != nil {
		return nil, config.User{}, err
	}
	out := make([]Field, 0, len(config.EditableKeys))
	for _, k := range config.EditableKeys {
		if k == config.EditImportFolder && !hasIMAP(*u) {
			continue // nothing it would change
		}
		out = append(out, Field{Key: k, Value: Value(eff, k), Default: Value(*u, k), Editable: u.MayEdit(k)})
	}
	return out, eff, nil
}

// Value is key's value in u, in the notation Check returns.
func Value(u config.User, key string) string {
	switch key {
	case config.EditImportFolder:
		return importFolder(u)
	case config.EditAreas:
		return strings.Join(u.Areas, ",")
	case config.EditAutomaticMatching:
		return strconv.FormatBool(u.AutomaticMatching)
	case config.EditWindow:
		return FormatWindow(u.Window)
	case config.EditTimeZone:
		return u.TimeZone
	}
	return ""
}

// Save checks values (key → typed value) and stores them for the user,
// journalled as changed by `by`. A value equal to the config's is stored
// as no value, so that the user follows the admin's default again.
// Errors: a key the user may not change, a value Check refuses (naming
// the key), a store failure; nothing is stored then.
func (s *Service) Save(ctx context.Context, user, by string, values map[string]string) ([]state.PreferenceChange, error) {
	u, err := s.Config.User(user)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		if !u.MayEdit(k) {
			return nil, fmt.Errorf("%s may not be changed by %s (the configuration does not list it in editable)", k, user)
		}
		nv, err := Check(*u, k, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if nv == Value(*u, k) {
			nv = ""
		}
		out[k] = nv
	}
	return s.Store.SetUserPreferences(ctx, user, by, out)
}

func hasIMAP(u config.User) bool {
	for _, sp := range u.Sources {
		if sp.Plugin == imapPlugin {
			return true
		}
	}
	return false
}

// importFolder is the `folder` of the user's first IMAP source (its
// adapter's default when unset; several `folders` read as a list).
func importFolder(u config.User) string {
	for _, sp := range u.Sources {
		if sp.Plugin != imapPlugin {
			continue
		}
		var o struct {
			Folder  string   `json:"folder"`
			Folders []string `json:"folders"`
		}
		_ = jsonUnmarshal(sp.Options, &o)
		switch {
		case o.Folder != "":
			return o.Folder
		case len(o.Folders) > 0:
			return strings.Join(o.Folders, ", ")
		default:
			return DefaultImportFolder
		}
	}
	return ""
}

// DefaultImportFolder is the IMAP adapter's default `folder`
// (imap.DefaultFolder; prefs_test checks they agree): this package does
// not link the adapter.
const DefaultImportFolder = "Import Folder"

func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}
