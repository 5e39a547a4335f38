package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/crypto/bcrypt"

	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/internal/testenv"
	"github.com/gwsync/gwsync/prefs"
	"github.com/gwsync/gwsync/web"
)

// prefsSite is one user, sam (zone Europe/Berlin, may change the Import
// Folder), whose mail is a folder of the real Dovecot; the CRM and the
// state are SQLite files beside the config.
type prefsSite struct {
	dir, config string
	first, next string // Import Folders: the config's and the one sam picks
}

func newPrefsSite(t *testing.T) *prefsSite {
	t.Helper()
	addr, user, pw := testenv.Var(t, "DOVECOT_ADDR"), testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	tag := fmt.Sprintf("%d", time.Now().UnixNano())
	s := &prefsSite{dir: t.TempDir(), first: "Pref-A-" + tag, next: "Pref-B-" + tag}
	c := imaptest.Dial(t, addr, user, pw)
	// 09:30 UTC is 10:30 in Berlin (CET): the zone shows in every view.
	imaptest.Append(t, c, s.first, prefsMail("a-"+tag, "Quote request "+tag, "Mon, 02 Nov 2026 08:15:00 +0000"))
	imaptest.Append(t, c, s.next, prefsMail("b-"+tag, "Order confirmation "+tag, "Mon, 02 Nov 2026 09:30:00 +0000"))
	hash, err := bcrypt.GenerateFromPassword([]byte("web-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	s.config = filepath.Join(s.dir, "gwsync.yaml")
	yaml := fmt.Sprintf(`state: sqlite:./state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:./crm.db", create_contacts: true}}
defaults: {window: {past: 10y, future: 10y}, time_zone: Europe/Berlin}
users:
  - name: sam
    email: sam@example.com
    password_hash: %q
    editable: [import_folder]
    areas: [emails]
    sources:
      - {name: inbox, plugin: imap, in_process: true, options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: %s}}
`, hash, addr, user, pw, s.first)
	if err := os.WriteFile(s.config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

func prefsMail(id, subject, date string) []byte {
	return []byte("From: Buyer <buyer@example.org>\r\nTo: sam@example.com\r\nSubject: " + subject +
		"\r\nDate: " + date + "\r\nMessage-ID: <" + id + "@example.org>\r\n\r\nPlease confirm.\r\n")
}

func (s *prefsSite) run(t *testing.T, args ...string) string {
	t.Helper()
	r := runBinary(t, gwsyncBin, append(args, "--config", s.config)...)
	if r.code != 0 {
		t.Fatalf("gwsync %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

var prefsCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webClient is a logged-in browser on the web client `gwsync serve`
// wires for the site (the same preferences service and job opener).
type webClient struct {
	t   *testing.T
	url string
	c   *http.Client
}

func (s *prefsSite) web(t *testing.T) *webClient {
	t.Helper()
	cfg, err := config.Load(s.config)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(s.dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logger := hclog.NewNullLogger()
	op := &opener{cfg: cfg, logger: logger}
	t.Cleanup(op.close)
	crm, err := op.sink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	users, _ := webUsers(cfg)
	srv, err := web.New(web.Options{Users: users, OpenJob: jobOpener(cfg, st, logger, crm, nil), CRM: crm, State: st,
		Preferences: &prefs.Service{Config: cfg, Store: st}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	jar, _ := cookiejar.New(nil)
	w := &webClient{t: t, url: hs.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, loc, _ := w.post("/login", url.Values{"user": {"sam"}, "password": {"web-pw"}}); code != http.StatusSeeOther || loc != "/sync" {
		t.Fatalf("login: %d %q", code, loc)
	}
	return w
}

func (w *webClient) get(path string) string {
	w.t.Helper()
	resp, err := w.c.Get(w.url + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

func (w *webClient) post(path string, v url.Values) (int, string, string) {
	w.t.Helper()
	m := prefsCSRF.FindStringSubmatch(w.get(path))
	if m == nil {
		w.t.Fatalf("no CSRF token on %s", path)
	}
	v.Set("csrf", m[1])
	resp, err := w.c.PostForm(w.url+path, v)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestImportFolderPreferenceReachesTheNextRunAndTheJournal: sam syncs
// the config's Import Folder on the real Dovecot, picks another folder on
// the web client's preferences page, and the next `gwsync sync` imports
// that folder's mail (and nothing of the first folder again). The change
// is journalled: `gwsync status` and the web status page both show it,
// who made it, old → new ("(default)": no stored value before).
func TestImportFolderPreferenceReachesTheNextRunAndTheJournal(t *testing.T) {
	s := newPrefsSite(t)
	s.run(t, "sync", "--yes")
	acts := s.run(t, "activities")
	if !strings.Contains(acts, "Quote request") || strings.Contains(acts, "Order confirmation") {
		t.Fatalf("first run, folder %s: activities\n%s", s.first, acts)
	}

	w := s.web(t)
	if page := w.get("/preferences"); !strings.Contains(page, `value="`+s.first+`"`) {
		t.Fatalf("the preferences page does not show the config's folder %s:\n%s", s.first, page)
	}
	code, loc, body := w.post("/preferences", url.Values{"import_folder_mode": {"folder"}, "import_folder": {s.next}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/preferences") {
		t.Fatalf("saving the Import Folder: %d %q\n%s", code, loc, body)
	}

	out := s.run(t, "sync", "--yes", "--json")
	if n := countOf(t, out, "create"); n != 1 {
		t.Errorf("the run after the change created %d, want the one mail of %s:\n%s", n, s.next, out)
	}
	acts = s.run(t, "activities")
	if strings.Count(acts, "Order confirmation") != 1 || strings.Count(acts, "Quote request") != 1 {
		t.Errorf("after the change: activities\n%s", acts)
	}

	status := s.run(t, "status")
	// The journal keeps stored values: before the change sam had none, the
	// admin's default (the config's folder) applied.
	want := fmt.Sprintf("preference import_folder: (default) → %s (by sam", s.next)
	if !strings.Contains(status, want) {
		t.Errorf("gwsync status lacks %q:\n%s", want, status)
	}
	page := w.get("/status")
	for _, v := range []string{"Preference changes", "import_folder", "(default)", s.next} {
		if !strings.Contains(page, v) {
			t.Errorf("the web status page's preference changes lack %q", v)
		}
	}
}

// TestSameWallTimeInWebAndCLI: the mail Dovecot dated 09:30 UTC is shown
// at 10:30 (sam's zone, Europe/Berlin) on the web's activities page and in
// `gwsync activities`; `--utc` shows 09:30Z; the JSON has RFC 3339 with
// the offset.
func TestSameWallTimeInWebAndCLI(t *testing.T) {
	s := newPrefsSite(t)
	// The second folder's mail (09:30 UTC) is the one compared.
	cfg, _ := os.ReadFile(s.config)
	if err := os.WriteFile(s.config, []byte(strings.Replace(string(cfg), "folder: "+s.first, "folder: "+s.next, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	s.run(t, "sync", "--yes")

	cliLine := mustLineWith(t, s.run(t, "activities"), "Order confirmation")
	cli := regexp.MustCompile(`(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d) (\S+)`).FindStringSubmatch(cliLine)
	if cli == nil {
		t.Fatalf("no time on the CLI's line %q", cliLine)
	}
	page := s.web(t).get("/activities?q=" + url.QueryEscape("Order confirmation"))
	webTime := regexp.MustCompile(`\w{3} (\d{1,2}) (\w{3}) (\d{4}), (\d\d:\d\d)`).FindStringSubmatch(page)
	if webTime == nil {
		t.Fatalf("no time on the web's activities page:\n%s", page)
	}
	webWall, err := time.Parse("2 Jan 2006 15:04", webTime[1]+" "+webTime[2]+" "+webTime[3]+" "+webTime[4])
	if err != nil {
		t.Fatal(err)
	}
	cliWall, err := time.Parse("2006-01-02 15:04", cli[1]+"-"+cli[2]+"-"+cli[3]+" "+cli[4])
	if err != nil {
		t.Fatal(err)
	}
	if !webWall.Equal(cliWall) || cli[4] != "10:30" || cli[5] != "CET" {
		t.Errorf("web shows %s, CLI shows %s %s; want the same wall time, 10:30 CET", webWall.Format("2006-01-02 15:04"), cliWall.Format("2006-01-02 15:04"), cli[5])
	}

	if utc := mustLineWith(t, s.run(t, "activities", "--utc"), "Order confirmation"); !strings.Contains(utc, "2026-11-02 09:30Z") {
		t.Errorf("--utc: %q, want 2026-11-02 09:30Z", utc)
	}
	var acts []struct {
		Subject string          `json:"subject"`
		Start   json.RawMessage `json:"start"`
	}
	if err := json.Unmarshal([]byte(s.run(t, "activities", "--json")), &acts); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range acts {
		if !strings.Contains(a.Subject, "Order confirmation") {
			continue
		}
		found = true
		var raw string
		if err := json.Unmarshal(a.Start, &raw); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, raw)
		if err != nil || !at.Equal(time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)) || !regexp.MustCompile(`(Z|[+-]\d\d:\d\d)$`).MatchString(raw) {
			t.Errorf("JSON start %q (%v): want RFC 3339 with an offset, 09:30 UTC", raw, err)
		}
	}
	if !found {
		t.Error("the JSON lacks the mail")
	}
}

func mustLineWith(t *testing.T, out, sub string) string {
	t.Helper()
	l := lineWith(out, sub)
	if l == "" {
		t.Fatalf("no line with %q in\n%s", sub, out)
	}
	return l
}
