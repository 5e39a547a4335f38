package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/caldavtest"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/internal/testenv"
)

func discoverSite(t *testing.T, calURL, calUser, calPass, imapAddr, imapUser, imapPass string) *site {
	t.Helper()
	return newSite(t, fmt.Sprintf(`      - {name: cal, plugin: caldav, options: {url: %q, username: %q, password: %q}}
      - {name: mail, plugin: imap, options: {url: "imap://%s", tls: none, username: %q, password: %q}}
`, calURL, calUser, calPass, imapAddr, imapUser, imapPass))
}

// discover against the in-memory servers: the calendars, task lists and
// folders are listed with the options that select them.
func TestDiscoverInMemory(t *testing.T) {
	b := caldavtest.NewBackend()
	b.AddCalendar("work", "Work", "VEVENT")
	b.AddCalendar("todo", "Tasks", "VTODO")
	cal := b.Serve()
	defer cal.Close()
	m := imaptest.StartMem(t, imaptest.MemOptions{})
	c := imaptest.Dial(t, m.Addr, m.Username, m.Password)
	imaptest.Append(t, c, "Import Folder", []byte("Message-ID: <d@x>\r\nSubject: hi\r\n\r\nbody\r\n"))
	s := discoverSite(t, cal.URL, "alice", "pw", m.Addr, m.Username, m.Password)

	r := s.mustRun(0, "discover")
	for _, want := range []string{
		"sam / cal (caldav):",
		"calendar   Work   /alice/calendars/work/  VEVENT\n",
		"task list  Tasks  /alice/calendars/todo/  VTODO\n",
		"    calendars:\n      - \"/alice/calendars/work/\"  # Work\n",
		"    task_lists:\n      - \"/alice/calendars/todo/\"  # Tasks\n",
		"sam / mail (imap):",
		"    folders:\n      - \"Import Folder\"\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("discover lacks %q:\n%s", want, r.stdout)
		}
	}
	r = s.mustRun(0, "discover", "--source", "mail", "--json")
	var got []discovered
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(got) != 1 || got[0].Source != "mail" || len(got[0].Offers) != 1 || got[0].Offers[0].Messages != 1 {
		t.Errorf("--source mail --json: %+v", got)
	}
	s.mustRun(exitUsage, "discover", "--source", "nope")
}

// discover against Radicale and Dovecot, as a new user would.
func TestDiscoverRealServers(t *testing.T) {
	s := discoverSite(t, testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER"), testenv.Var(t, "RADICALE_PASSWORD"),
		testenv.Var(t, "DOVECOT_ADDR"), testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD"))
	r := s.mustRun(0, "discover", "--json")
	var got []discovered
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	got = got[1:] // files first, with a note
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	has := func(d discovered, f func(adapters.Offer) bool) bool {
		for _, o := range d.Offers {
			if f(o) {
				return true
			}
		}
		return false
	}
	// Radicale's principal has at least the collections tests made; the
	// mailbox has an INBOX with a count.
	if got[1].Error != "" || !has(got[1], func(o adapters.Offer) bool { return o.Path == "INBOX" && o.Messages >= 0 }) {
		t.Errorf("dovecot: %+v", got[1])
	}
	if got[0].Error != "" {
		t.Errorf("radicale: %+v", got[0])
	}
	// A wrong password is a problem of that source, exit 3.
	bad := discoverSite(t, testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER"), "wrong",
		testenv.Var(t, "DOVECOT_ADDR"), testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD"))
	r = bad.mustRun(exitPartial, "discover")
	if !strings.Contains(r.stdout, "problem: ") || strings.Contains(r.stdout, "wrong") {
		t.Errorf("wrong password:\n%s", r.stdout)
	}
}
