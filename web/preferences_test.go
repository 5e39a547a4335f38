package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/prefs"
)

const prefsYAML = `
crm: {plugin: crmsql, options: {dsn: "sqlite:crm.db"}}
defaults:
  time_zone: Europe/Berlin
  editable: [import_folder, areas, window, time_zone]
users:
  - name: sam
    sources:
      - {name: inbox, plugin: imap, options: {url: "imaps://127.0.0.1", username: sam}}
`

// withPreferences serves the preferences page over the fixture's state.
func withPreferences(t *testing.T) func(*Options) {
	cfg, err := config.Parse("gwsync.yaml", []byte(prefsYAML))
	if err != nil {
		t.Fatal(err)
	}
	return func(o *Options) { o.Preferences = &prefs.Service{Config: cfg, Store: o.State} }
}

func TestPreferencesPageSavesJournalsAndShowsOnStatus(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, withPreferences(t))
	c := f.client()
	c.mustLogin("sam")

	code, _, body := c.get("/preferences")
	if code != http.StatusOK {
		t.Fatalf("GET /preferences: %d", code)
	}
	for _, want := range []string{`value="Import Folder"`, "Whole inbox (the import can take a while)", `name="time_zone" value="Europe/Berlin"`,
		`name="window_past" value="30d"`, "Automatic matching of appointments / tasks", "(set by your administrator)"} {
		if !strings.Contains(body, want) {
			t.Errorf("preferences page lacks %q", want)
		}
	}

	form := url.Values{"csrf": {c.csrf("/preferences")}, "import_folder_mode": {"folder"}, "import_folder": {"Projects"},
		"areas": {"emails", "tasks"}, "window_past": {"30d"}, "window_future": {"365d"}, "time_zone": {"America/New_York"},
		"automatic_matching": {"on"}} // not editable: ignored
	code, loc, body := c.post("/preferences", form)
	if code != http.StatusSeeOther || loc != "/preferences?saved=1" {
		t.Fatalf("POST /preferences: %d %q\n%s", code, loc, body)
	}
	got, err := f.srv.opts.State.UserPreferences(context.Background(), "sam")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"import_folder": "Projects", "areas": "emails,tasks", "time_zone": "America/New_York"}
	if len(got) != len(want) {
		t.Errorf("stored %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("stored %s = %q; want %q", k, got[k], v)
		}
	}
	if u := f.srv.effectiveUser(context.Background(), "sam"); u.TimeZone != "America/New_York" || len(u.Areas) != 2 || u.Automatic {
		t.Errorf("effective user = %+v", u)
	}
	if areas := f.srv.offeredAreas("sam"); len(areas) != 2 {
		t.Errorf("offered areas after the change = %v; want emails and tasks", areas)
	}

	_, _, body = c.get("/status")
	if !strings.Contains(body, `id="preference-changes"`) || !strings.Contains(body, "<td>import_folder</td><td>(default)</td><td>Projects</td>") {
		t.Errorf("status page does not show the change import_folder (default) → Projects:\n%s", body)
	}
}

func TestPreferencesPageRefusesAWrongValueAndStoresNothing(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, withPreferences(t))
	c := f.client()
	c.mustLogin("sam")
	form := url.Values{"csrf": {c.csrf("/preferences")}, "import_folder_mode": {"inbox"},
		"areas": {"emails"}, "window_past": {"30d"}, "window_future": {"365d"}, "time_zone": {"Mars/Olympus"}}
	code, _, body := c.post("/preferences", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Nothing was saved: time_zone: &#34;Mars/Olympus&#34; is not a known time zone") {
		t.Fatalf("POST with a wrong zone: %d\n%s", code, body)
	}
	if got, _ := f.srv.opts.State.UserPreferences(context.Background(), "sam"); len(got) != 0 {
		t.Errorf("a refused save stored %v", got)
	}
}

func TestNoPreferencesServiceNoPage(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	c.mustLogin("sam")
	if code, _, _ := c.get("/preferences"); code != http.StatusNotFound {
		t.Errorf("GET /preferences without a service: %d; want 404", code)
	}
	if _, _, body := c.get("/status"); strings.Contains(body, `href="/preferences"`) {
		t.Error("the menu offers the preferences page without a service")
	}
}
