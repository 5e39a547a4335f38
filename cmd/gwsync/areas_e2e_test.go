package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/internal/testenv"
)

// A source that cannot be read at all makes `gwsync plan` exit 3, like
// sync, and the failure is printed once (not also as a log line).
func TestPlanExitsPartialWhenASourceCannotBeRead(t *testing.T) {
	s := newSite(t, "")
	if err := os.RemoveAll(s.cal); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan"}, {"sync", "--dry-run"}, {"sync", "--yes"}} {
		r := s.mustRun(exitPartial, args...)
		out := r.stdout + r.stderr
		if n := strings.Count(out, "calendar_dir"); n != 1 {
			t.Fatalf("gwsync %v printed the failure %d times:\n%s", args, n, out)
		}
	}
	if p := s.plan(); len(p.Problems) != 1 { // exit 3 checked there
		t.Fatalf("problems %+v", p.Problems)
	}
}

// With only e-mail asked for, a calendar with a wrong password is never
// asked: the run is ok (exit 0), in `--areas emails` and in a user's
// `areas:` alike; a plan of every area still reports it (exit 3).
func TestAreasEmailsLeavesABrokenCalendarAlone(t *testing.T) {
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user, pass := testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	davURL, davUser := testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER")
	stamp := time.Now().UnixNano()
	folder := fmt.Sprintf("E2E Areas %d", stamp)
	c := imaptest.Dial(t, addr, user, pass)
	imaptest.Append(t, c, folder, mailmsg.Render(adapters.Item{
		Key: fmt.Sprintf("mid:e2e-areas-%d@x", stamp), Kind: adapters.KindMessage, Subject: "Order",
		From: "customer@example.org", To: []string{"alice@example.com"},
		Date: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), Body: "Please deliver."}))
	sources := fmt.Sprintf(`    sources:
      - name: mail
        plugin: imap
        options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: %q}
      - name: cal
        plugin: caldav
        options: {url: %q, username: %s, password: wrong-password}
`, addr, user, pass, folder, davURL, davUser)
	s := newSite(t, `  - name: alice
    email: alice@example.com
`+sources+`  - name: bob
    email: alice@example.com
    areas: [emails]
`+sources)

	r := s.mustRun(exitOK, "sync", "--user", "alice", "--areas", "emails", "--yes")
	if !strings.Contains(r.stdout, " ok: 1 created") || strings.Contains(r.stdout+r.stderr, "cal") {
		t.Fatalf("e-mail-only sync:\n%s\n%s", r.stdout, r.stderr)
	}
	r = s.mustRun(exitOK, "plan", "--user", "bob")
	if strings.Contains(r.stdout+r.stderr, "problem") {
		t.Fatalf("plan of a user with areas: [emails]:\n%s\n%s", r.stdout, r.stderr)
	}
	r = s.mustRun(exitPartial, "plan", "--user", "alice")
	if !strings.Contains(r.stdout, "problem: cal (source)") {
		t.Fatalf("plan of every area does not report the calendar:\n%s", r.stdout)
	}
}

// An event imported from Radicale (an incremental source: sync-token)
// whose activity is deleted in the CRM is reported on every plan, and
// nothing is written.
func TestCRMDeletionIsReportedForRadicale(t *testing.T) {
	sv := davServer{testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER"), testenv.Var(t, "RADICALE_PASSWORD")}
	cal := sv.newCalendar(t)
	sv.put(t, cal+"dentist.ics", e2eAppointment)
	s := newSite(t, fmt.Sprintf(`  - name: alice
    email: alice@example.com
    sources:
      - name: cal
        plugin: caldav
        options: {url: %q, username: %s, password: %s, calendars: [%q], task_lists: []}
`, sv.url, sv.user, sv.pass, cal))
	if r := s.mustRun(exitOK, "sync", "--user", "alice", "--yes"); !strings.Contains(r.stdout, " ok: 1 created") {
		t.Fatalf("first sync:\n%s", r.stdout)
	}
	db, err := sql.Open("sqlite", filepath.Join(s.dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`DELETE FROM activities WHERE source = 'cal'`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("delete: %v, %d rows", err, n)
	}
	db.Close()
	// A deletion in the CRM leaves no change number: the CRM's full
	// listing finds it (--full here, defaults.crm_full_check otherwise).
	for round := range 2 {
		r := s.mustRun(exitOK, "sync", "--user", "alice", "--yes", "--full")
		if !strings.Contains(r.stdout, "1 skip;") {
			t.Fatalf("sync %d after the CRM deletion:\n%s", round, r.stdout)
		}
		r = s.mustRun(exitOK, "plan", "--user", "alice", "--full")
		if !strings.Contains(r.stdout, "deleted in the CRM") {
			t.Fatalf("plan %d after the CRM deletion does not report it:\n%s", round, r.stdout)
		}
	}
	if n := len(s.activities()); n != 0 {
		t.Fatalf("the deleted activity came back: %d activities", n)
	}
	if got := sv.get(t, cal+"dentist.ics"); !strings.Contains(got, "Dentist") {
		t.Fatalf("the event was touched:\n%s", got)
	}
}

// --areas naming none of the user's areas is nothing to do: the empty
// intersection must not read as "every area".
func TestAreasOutsideTheUsersAreasDoNothing(t *testing.T) {
	s := newSite(t, `  - name: eve
    email: eve@example.com
    areas: [emails]
    sources:
      - {name: files, plugin: files, options: {calendar_dir: ./calendar, mail_dir: ./mail}}
`)
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	r := s.mustRun(exitOK, "sync", "--user", "eve", "--areas", "tasks,appointments", "--yes")
	if n := len(s.activities()); n != 0 {
		t.Fatalf("%d activities created for areas eve does not have:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stdout, "eve: nothing to do") {
		t.Fatalf("sync:\n%s", r.stdout)
	}
}

// The same for a message imported from Dovecot (an incremental IMAP
// listing): reported on every run, selected even when the areas leave
// resync out, so it never holds the folder's cursor back.
func TestCRMDeletionIsReportedForDovecot(t *testing.T) {
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user, pass := testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	stamp := time.Now().UnixNano()
	folder := fmt.Sprintf("E2E CRM deletion %d", stamp)
	c := imaptest.Dial(t, addr, user, pass)
	appendMessage := func(i int) {
		imaptest.Append(t, c, folder, mailmsg.Render(adapters.Item{
			Key: fmt.Sprintf("mid:e2e-crmdel-%d-%d@x", stamp, i), Kind: adapters.KindMessage, Subject: fmt.Sprintf("Order %d", i),
			From: "customer@example.org", To: []string{"alice@example.com"},
			Date: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), Body: "Please deliver."}))
	}
	appendMessage(0)
	appendMessage(1)
	s := newSite(t, fmt.Sprintf(`  - name: alice
    email: alice@example.com
    sources:
      - name: mail
        plugin: imap
        options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: %q}
`, addr, user, pass, folder))
	if r := s.mustRun(exitOK, "sync", "--user", "alice", "--yes"); !strings.Contains(r.stdout, " ok: 2 created") {
		t.Fatalf("first sync:\n%s", r.stdout)
	}
	db, err := sql.Open("sqlite", filepath.Join(s.dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Not the newest activity: SQLite would give its id to the next
	// insert, and the link would then name another activity. (Which
	// message got the lower id depends on the order the creates went in.)
	res, err := db.Exec(`DELETE FROM activities WHERE id = (SELECT min(id) FROM activities WHERE source = 'mail')`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("delete: %v, %d rows", err, n)
	}
	db.Close()
	for round := range 2 {
		// --full: the CRM's full listing is what finds a deletion there.
		r := s.mustRun(exitOK, "plan", "--user", "alice", "--areas", "emails", "--full")
		// The table's row of a deletion report starts with "-" (never
		// "(-)": a report cannot be deselected); its reason is the note
		// line below it.
		if !strings.Contains(r.stdout, "deleted in the CRM") || !strings.HasPrefix(rowOfNote(r.stdout, "deleted in the CRM"), "-  ") {
			t.Fatalf("plan %d after the CRM deletion does not report it as a deletion:\n%s", round, r.stdout)
		}
		appendMessage(round + 2)
		if r := s.mustRun(exitOK, "sync", "--user", "alice", "--areas", "emails", "--yes"); !strings.Contains(r.stdout, " ok: 1 created") {
			t.Fatalf("sync %d:\n%s", round, r.stdout)
		}
	}
	if n := len(s.activities()); n != 3 {
		t.Fatalf("%d activities, want all messages but the deleted one", n)
	}
}

// lineWith returns the first line of s holding sub, "" if none.
// rowOfNote is the table row whose note line (below it) contains sub.
func rowOfNote(s, sub string) string {
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.Contains(lines[i], sub) {
			return lines[i-1]
		}
	}
	return ""
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
