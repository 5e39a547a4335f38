package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/engine"
)

// The plan table of the quickstart, as `gwsync plan` prints it: every line
// within 100 columns, one symbol per kind, a summary at the end; a time
// changed in the CRM is named by its subject and type.
func TestPlanTableGolden(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "mail"), s.mail)

	r := s.mustRun(0, "plan")
	golden(t, "plan/quickstart.golden", r.stdout)
	checkWidth(t, r.stdout)
	if !strings.Contains(r.stdout, "\nPlan: 13 to create; 0 unchanged.\n") {
		t.Errorf("no summary line:\n%s", r.stdout)
	}
	wide := s.mustRun(0, "plan", "--wide")
	if len(wide.stdout) < len(r.stdout) {
		t.Errorf("--wide is narrower than the default")
	}

	s.mustRun(0, "sync", "--yes")
	db, err := sql.Open("sqlite", filepath.Join(s.dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE activities SET start_at='2027-01-14T10:00:00Z', end_at='2027-01-14T11:30:00Z'
		WHERE source_item='calendar/customer-visit-northwind.ics'`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r = s.mustRun(0, "plan")
	golden(t, "plan/crm-time-change.golden", r.stdout)
	checkWidth(t, r.stdout)
	for _, want := range []string{"~  b1d04ce7ec5d  APPOINTMENT  ← CRM  Customer visit", "Plan: 1 time change (0 to the CRM, 1 to groupware); 12 unchanged."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the CRM-side change lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "ical:") {
		t.Errorf("the CRM-side change is shown by its key:\n%s", r.stdout)
	}
}

func checkWidth(t *testing.T, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > engine.TableWidth {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
}

// A source without a password passes `config check` whatever its adapter:
// the password is asked for on a terminal, or the run reports that it
// needs one.
func TestConfigCheckAcceptsMissingPasswords(t *testing.T) {
	s := newSite(t, `      - {name: cal, plugin: caldav, options: {url: "https://127.0.0.1:1/dav/", username: sam}}
      - {name: mail, plugin: imap, options: {url: "imaps://127.0.0.1:1", username: sam}}
      - {name: ews, plugin: exchange, options: {api: ews, url: "https://127.0.0.1:1/EWS/Exchange.asmx", username: sam}}
`)
	r := s.mustRun(0, "config", "check")
	if !strings.Contains(r.stdout, "OK (1 users, 4 sources") {
		t.Fatalf("config check: %s", r.stdout)
	}
	r = s.mustRun(exitPartial, "plan", "--areas", "emails")
	for _, want := range []string{"imaps://127.0.0.1:1: user sam needs a password (password, password_file or oauth_token)",
		"user sam needs a password (password or password_file)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan without a terminal lacks %q:\n%s", want, r.stdout)
		}
	}
}
