package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/prefs"
)

// preferencesPath is the user's own "User preferences / Groupware" page:
// the settings the config lets the user change (prefs), shown with the
// admin's default, saved per user in the state and journalled.
const preferencesPath = "/preferences"

type preferencesPage struct {
	Fields []preferenceRow
	Saved  bool
	Error  string
}

// preferenceRow is one setting on the page. Kind picks the input:
// "folder", "areas", "switch", "window", "zone".
type preferenceRow struct {
	Key, Label, Help, Kind string
	Value, Default         string
	Editable               bool
	// WholeInbox: the Import Folder is the whole inbox.
	WholeInbox bool
	// Areas offered by the config, with whether each is chosen.
	Areas []prefArea
	// Past and Future split a window value.
	Past, Future string
}

type prefArea struct {
	Name, Title string
	Chosen      bool
}

var preferenceLabels = map[string][3]string{
	config.EditImportFolder: {"Import Folder", "folder",
		"The mail folder whose messages are imported. If the entire mail inbox is configured for the import, the process can take a while."},
	config.EditAreas:             {"Areas offered", "areas", "The areas the synchronization offers you."},
	config.EditAutomaticMatching: {"Automatic matching of appointments / tasks", "switch", "When on, your groupware is synchronized automatically and the manual synchronization wizard is hidden."},
	config.EditWindow:            {"Sync window", "window", "How far into the past and the future calendar items are synchronized (e.g. 30d, 2w, 1y)."},
	config.EditTimeZone:          {"Time zone", "zone", "How times are shown to you, here and by the command line; also the zone of calendar times that name none."},
}

// effectiveUser is u as its preferences make it: the areas offered,
// automatic matching and the time zone read through prefs (the same rule
// as the command line's). Without a preferences service, or when the
// stored values cannot be read (logged), the config's.
func (s *Server) effectiveUser(ctx context.Context, name string) User {
	u := s.users[name]
	if s.opts.Preferences == nil {
		return u
	}
	eff, err := s.opts.Preferences.Effective(ctx, name)
	if err != nil {
		s.log.Warn("preferences not applied", "user", name, "error", err)
		return u
	}
	u.Automatic = eff.AutomaticMatching
	u.TimeZone = eff.TimeZone
	u.Areas = u.Areas[:0:0]
	for _, a := range eff.Areas {
		u.Areas = append(u.Areas, engine.Area(a))
	}
	return u
}

func (s *Server) preferences(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderPreferences(w, r, sess, http.StatusOK, r.URL.Query().Get("saved") == "1", "")
}

func (s *Server) renderPreferences(w http.ResponseWriter, r *http.Request, sess *session, status int, saved bool, msg string) {
	user := sess.userName()
	p := preferencesPage{Saved: saved, Error: msg}
	fields, _, err := s.opts.Preferences.Fields(r.Context(), user)
	if err != nil {
		p.Error = "Your preferences could not be read: " + err.Error()
	}
	cu, _ := s.opts.Preferences.Config.User(user)
	for _, f := range fields {
		l := preferenceLabels[f.Key]
		row := preferenceRow{Key: f.Key, Label: l[0], Kind: l[1], Help: l[2], Value: f.Value, Default: f.Default, Editable: f.Editable}
		switch f.Key {
		case config.EditImportFolder:
			row.WholeInbox = f.Value == prefs.WholeInbox
		case config.EditAreas:
			chosen := strings.Split(f.Value, ",")
			for _, a := range cu.Areas {
				row.Areas = append(row.Areas, prefArea{Name: a, Title: areaTexts[engine.Area(a)][0], Chosen: slices.Contains(chosen, a)})
			}
		case config.EditWindow:
			row.Past, row.Future, _ = strings.Cut(f.Value, "/")
		}
		p.Fields = append(p.Fields, row)
	}
	v := s.view(sess, "User preferences / Groupware", p)
	v.Nav = "preferences"
	s.render(w, status, "preferences.html", v)
}

// savePreferences stores what the form changed (CSRF was checked by
// authed). Only the keys the user may edit are read from the form; the
// whole save is refused when one value is wrong.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request, sess *session) {
	user := sess.userName()
	cu, err := s.opts.Preferences.Config.User(user)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	values := map[string]string{}
	for _, k := range cu.Editable {
		switch k {
		case config.EditImportFolder:
			if r.PostFormValue("import_folder_mode") == "inbox" {
				values[k] = prefs.WholeInbox
			} else {
				values[k] = r.PostFormValue(k)
			}
		case config.EditAreas:
			values[k] = strings.Join(r.PostForm["areas"], ",")
		case config.EditAutomaticMatching:
			values[k] = "false"
			if r.PostFormValue(k) == "on" {
				values[k] = "true"
			}
		case config.EditWindow:
			values[k] = r.PostFormValue("window_past") + "/" + r.PostFormValue("window_future")
		case config.EditTimeZone:
			values[k] = r.PostFormValue(k)
		}
	}
	changes, err := s.opts.Preferences.Save(r.Context(), user, user, values)
	if err != nil {
		s.renderPreferences(w, r, sess, http.StatusUnprocessableEntity, false, "Nothing was saved: "+err.Error())
		return
	}
	for _, c := range changes {
		s.log.Info("preference changed", "user", user, "key", c.Key, "old", c.Old, "new", c.New)
	}
	http.Redirect(w, r, preferencesPath+"?saved=1", http.StatusSeeOther)
}

// mayTurnAutomatic reports whether the config lets the user switch
// automatic matching on.
func (s *Server) mayTurnAutomatic(user string) bool {
	if s.opts.Preferences == nil {
		return false
	}
	u, err := s.opts.Preferences.Config.User(user)
	return err == nil && u.MayEdit(config.EditAutomaticMatching)
}

// orDefault shows an empty journalled value: no stored value, the
// admin's default applied.
func orDefault(v string) string {
	if v == "" {
		return "(default)"
	}
	return v
}
