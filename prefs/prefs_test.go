package prefs_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/prefs"
)

const yamlConfig = `
crm: {plugin: crmsql, options: {dsn: "sqlite:crm.db"}}
defaults:
  time_zone: Europe/Berlin
  editable: [import_folder, areas, window, time_zone]
users:
  - name: ann
    areas: [emails, tasks, appointments]
    sources:
      - {name: mail, plugin: imap, options: {url: "imaps://127.0.0.1", username: ann, folders: [A, B]}}
      - {name: cal, plugin: caldav, options: {url: "http://127.0.0.1/"}}
  - name: bob
    editable: [automatic_matching]
    sources:
      - {name: mail, plugin: imap, options: {url: "imaps://127.0.0.1", username: bob}}
`

func newService(t *testing.T) *prefs.Service {
	t.Helper()
	cfg, err := config.Parse("gwsync.yaml", []byte(yamlConfig))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &prefs.Service{Config: cfg, Store: st}
}

func folderOf(t *testing.T, u config.User) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(u.Sources[0].Options, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestSavedPreferencesAreTheEffectiveSettings(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	changes, err := s.Save(ctx, "ann", "ann", map[string]string{
		"import_folder": "Projects", "areas": "tasks, emails", "window": "7d/30d", "time_zone": "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Fatalf("journalled %d changes, want 4: %+v", len(changes), changes)
	}
	u, err := s.Effective(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	o := folderOf(t, u)
	if o["folder"] != "Projects" || o["folders"] != nil || o["username"] != "ann" {
		t.Errorf("imap options = %v; want folder Projects, no folders, the rest kept", o)
	}
	if !reflect.DeepEqual(u.Areas, []string{"emails", "tasks"}) {
		t.Errorf("areas = %v", u.Areas)
	}
	if u.Window != (config.Window{Past: 7 * 24 * time.Hour, Future: 30 * 24 * time.Hour}) || u.TimeZone != "America/New_York" {
		t.Errorf("window %v, zone %s", u.Window, u.TimeZone)
	}
	if string(u.Sources[1].Options) != `{"url":"http://127.0.0.1/"}` {
		t.Errorf("caldav options changed: %s", u.Sources[1].Options)
	}
	// The config itself is untouched.
	orig, _ := s.Config.User("ann")
	if o := folderOf(t, *orig); o["folder"] != nil || orig.TimeZone != "Europe/Berlin" || len(orig.Areas) != 3 {
		t.Errorf("Effective changed the config: %v %s %v", o, orig.TimeZone, orig.Areas)
	}
}

func TestSaveRefusesWhatTheAdminDidNotAllow(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	for _, tc := range []struct {
		user string
		vals map[string]string
		want string
	}{
		{"bob", map[string]string{"time_zone": "UTC"}, "time_zone may not be changed"},
		{"ann", map[string]string{"automatic_matching": "true"}, "automatic_matching may not be changed"},
		{"ann", map[string]string{"areas": "resync"}, `area "resync" is not offered`},
		{"ann", map[string]string{"time_zone": "Mars/Olympus"}, "not a known time zone"},
		{"ann", map[string]string{"window": "7d"}, "PAST/FUTURE"},
		{"ann", map[string]string{"import_folder": " "}, "name the Import Folder"},
	} {
		_, err := s.Save(ctx, tc.user, tc.user, tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Save(%s, %v) = %v; want %q", tc.user, tc.vals, err, tc.want)
		}
	}
	if got, _ := s.Store.UserPreferences(ctx, "ann"); len(got) != 0 {
		t.Errorf("refused saves stored %v", got)
	}
}

func TestRevokedKeyFallsBackToTheConfig(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	// A value stored while the key was editable (or by an old config).
	if _, err := s.Store.SetUserPreferences(ctx, "bob", "bob", map[string]string{"time_zone": "Asia/Tokyo", "automatic_matching": "true"}); err != nil {
		t.Fatal(err)
	}
	u, err := s.Effective(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != "Europe/Berlin" || !u.AutomaticMatching {
		t.Errorf("bob: zone %s (want the config's), automatic %v (want the stored true)", u.TimeZone, u.AutomaticMatching)
	}
}

func TestValueEqualToTheDefaultFollowsTheAdminAgain(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.Save(ctx, "ann", "ann", map[string]string{"import_folder": "inbox"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Store.UserPreferences(ctx, "ann")
	if got["import_folder"] != prefs.WholeInbox {
		t.Errorf("whole inbox stored as %q; want %q", got["import_folder"], prefs.WholeInbox)
	}
	changes, err := s.Save(ctx, "ann", "ann", map[string]string{"time_zone": "Europe/Berlin", "import_folder": "A, B"})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Key != "import_folder" || changes[0].New != "" {
		t.Errorf("changes = %+v; want import_folder back to the default, time_zone no change", changes)
	}
}

func TestDefaultImportFolderIsTheAdapters(t *testing.T) {
	if prefs.DefaultImportFolder != imap.DefaultFolder {
		t.Errorf("prefs.DefaultImportFolder %q, imap.DefaultFolder %q", prefs.DefaultImportFolder, imap.DefaultFolder)
	}
}
