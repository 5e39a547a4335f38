package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/internal/testenv"
	"github.com/gwsync/gwsync/web"
	"github.com/hashicorp/go-hclog"
	"golang.org/x/crypto/bcrypt"
)

// credcheckConfig is a user whose mail (Dovecot) and calendar (Radicale)
// have no password in the config: the web client asks for both.
func credcheckConfig(t *testing.T) *config.Config {
	t.Helper()
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user := testenv.Var(t, "DOVECOT_USER")
	davURL, davUser := testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER")
	hash, err := bcrypt.GenerateFromPassword([]byte("web-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf(`state: sqlite:state.db
crm: {plugin: memory}
users:
  - name: sam
    password_hash: %q
    sources:
      - {name: inbox, plugin: imap, options: {url: "imap://%s", tls: none, username: %s}}
      - {name: work-cal, plugin: caldav, options: {url: %q, username: %s}}
`, hash, addr, user, davURL, davUser)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "gwsync.yaml"), []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestLoginCheckerAsksTheRealServers: the right password passes, a wrong
// one is Unauthorized, for Dovecot and Radicale, and no error carries the
// password.
func TestLoginCheckerAsksTheRealServers(t *testing.T) {
	cfg := credcheckConfig(t)
	check := loginChecker(cfg, hclog.NewNullLogger())
	ctx := context.Background()
	for _, tc := range []struct{ source, right string }{
		{"inbox", testenv.Var(t, "DOVECOT_PASSWORD")},
		{"work-cal", testenv.Var(t, "RADICALE_PASSWORD")},
	} {
		start := time.Now()
		if err := check(ctx, "sam", tc.source, tc.right); err != nil {
			t.Errorf("%s: right password: %v", tc.source, err)
		}
		t.Logf("%s: check of the right password took %v", tc.source, time.Since(start))
		const wrong = "wrong-pw-5150"
		err := check(ctx, "sam", tc.source, wrong)
		if adapters.CodeOf(err) != adapters.CodeUnauthorized {
			t.Errorf("%s: wrong password: %v (code %v); want Unauthorized", tc.source, err, adapters.CodeOf(err))
		}
		if err != nil && strings.Contains(err.Error(), wrong) {
			t.Errorf("%s: the error holds the password: %v", tc.source, err)
		}
	}
}

var credCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestCredentialsPageRefusesAWrongPasswordAtOnce drives the web client
// with the checker `gwsync serve` wires: a wrong Dovecot password is
// refused on the credentials page itself, naming "mail at HOST" and no
// source name or URL; the right ones lead on to the wizard.
func TestCredentialsPageRefusesAWrongPasswordAtOnce(t *testing.T) {
	cfg := credcheckConfig(t)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users, _ := webUsers(cfg)
	logger := hclog.NewNullLogger()
	srv, err := web.New(web.Options{Users: users, OpenJob: jobOpener(cfg, st, logger, memory.NewStore(), nil), CRM: memory.NewStore(),
		State: st, CheckLogin: loginChecker(cfg, logger), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		resp, err := c.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(path string, v url.Values) (int, string, string) {
		m := credCSRF.FindStringSubmatch(get(path))
		if m == nil {
			t.Fatalf("no CSRF token on %s", path)
		}
		v.Set("csrf", m[1])
		resp, err := c.PostForm(hs.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	if code, loc, _ := post("/login", url.Values{"user": {"sam"}, "password": {"web-pw"}}); code != http.StatusSeeOther || loc != "/sync" {
		t.Fatalf("login: %d %q", code, loc)
	}
	dovecotUser := testenv.Var(t, "DOVECOT_USER")
	code, _, body := post("/credentials", url.Values{"password-0": {"wrong-pw-5150"}, "password-1": {testenv.Var(t, "RADICALE_PASSWORD")}})
	want := "The password for mail at 127.0.0.1 (user " + dovecotUser + ") was refused."
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
		t.Fatalf("wrong Dovecot password: %d, want 422 with %q:\n%s", code, want, body)
	}
	for _, internal := range []string{"inbox", "work-cal", "imap://", "http://", "wrong-pw-5150"} {
		if strings.Contains(body, internal) {
			t.Errorf("the credentials page shows %q", internal)
		}
	}
	// The calendar's right password was kept: only the mail's is asked again.
	if strings.Contains(body, `name="password-1"`) || !strings.Contains(body, `name="password-0"`) {
		t.Errorf("after a refused mail password the page should ask for the mail password only:\n%s", body)
	}
	code, loc, body := post("/credentials", url.Values{"password-0": {testenv.Var(t, "DOVECOT_PASSWORD")}})
	if code != http.StatusSeeOther || loc != "/sync" {
		t.Fatalf("right password: %d %q\n%s", code, loc, body)
	}
}
