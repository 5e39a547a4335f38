package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/internal/testenv"
)

// davServer is a real CalDAV server started by scripts/servers/*.sh.
type davServer struct{ url, user, pass string }

func (sv davServer) client() *davx.Client {
	c := &davx.Client{HTTP: davx.NewHTTPClient(http.DefaultTransport, time.Minute)}
	if sv.user != "" {
		c.Authorize = func(r *http.Request) { r.SetBasicAuth(sv.user, sv.pass) }
	}
	return c
}

// abs makes a server path absolute.
func (sv davServer) abs(p string) string {
	u, _ := url.Parse(sv.url)
	u.Path = p
	return u.String()
}

// newCalendar makes a fresh VEVENT calendar under the user's home.
func (sv davServer) newCalendar(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	cl, err := caldav.NewClient(sv.client(), sv.url)
	if err != nil {
		t.Fatal(err)
	}
	principal, err := cl.FindCurrentUserPrincipal(ctx)
	if err != nil {
		t.Fatalf("%s: principal: %v", sv.url, err)
	}
	home, err := cl.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		t.Fatalf("%s: home set: %v", sv.url, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := home + "e2e-" + hex.EncodeToString(b[:]) + "/"
	if err := sv.client().MkCalendar(ctx, sv.abs(p), "e2e "+p, "VEVENT"); err != nil {
		t.Fatalf("MKCALENDAR %s: %v", p, err)
	}
	t.Cleanup(func() { _ = sv.client().Delete(context.Background(), sv.abs(p)) })
	return p
}

func (sv davServer) put(t *testing.T, path, ics string) {
	t.Helper()
	if _, err := sv.client().Put(context.Background(), sv.abs(path), []byte(strings.ReplaceAll(ics, "\n", "\r\n")), "", ""); err != nil {
		t.Fatalf("PUT %s: %v", path, err)
	}
}

func (sv davServer) get(t *testing.T, path string) string {
	t.Helper()
	data, _, err := sv.client().Get(context.Background(), sv.abs(path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return string(data)
}

const e2eMeeting = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//EN
BEGIN:VEVENT
UID:e2e-meeting@gwsync.test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20261203T100000
DTEND;TZID=Europe/Berlin:20261203T110000
SUMMARY:Contract review
DESCRIPTION:Bring the signed offer.
ORGANIZER:mailto:alice@example.com
ATTENDEE;CN=Client:mailto:client@example.org
END:VEVENT
END:VCALENDAR
`

const e2eAppointment = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//EN
BEGIN:VEVENT
UID:e2e-dentist@gwsync.test
DTSTAMP:20260101T000000Z
DTSTART:20261204T080000Z
DTEND:20261204T090000Z
SUMMARY:Dentist
TRANSP:TRANSPARENT
END:VEVENT
END:VCALENDAR
`

const e2eSeries = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//EN
BEGIN:VEVENT
UID:e2e-weekly@gwsync.test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261207
DTEND;VALUE=DATE:20261208
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Trade fair week
END:VEVENT
END:VCALENDAR
`

// The CalDAV issue's "done when", end to end through `gwsync sync` with
// the plugins out of process, against each real server: a seeded calendar
// imports with the right types, busy status, times and all-day flags
// (a weekly series as one activity per occurrence); moving an event on the
// server changes only that activity's times; an edit that keeps the times
// is no change; moving an activity in the CRM moves the server's event,
// changing only its time lines; a CRM appointment is exported once, and
// never twice.
func TestCalDAVEndToEnd(t *testing.T) {
	for _, sv := range []struct {
		name string
		srv  func(t *testing.T) davServer
	}{
		{"radicale", func(t *testing.T) davServer {
			return davServer{testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER"), testenv.Var(t, "RADICALE_PASSWORD")}
		}},
		{"xandikos", func(t *testing.T) davServer { return davServer{url: testenv.Var(t, "XANDIKOS_URL")} }},
	} {
		t.Run(sv.name, func(t *testing.T) { calDAVEndToEnd(t, sv.srv(t)) })
	}
}

func calDAVEndToEnd(t *testing.T, sv davServer) {
	cal := sv.newCalendar(t)
	sv.put(t, cal+"meeting.ics", e2eMeeting)
	sv.put(t, cal+"dentist.ics", e2eAppointment)
	sv.put(t, cal+"weekly.ics", e2eSeries)
	auth := ""
	if sv.user != "" {
		auth = fmt.Sprintf(", username: %s, password: %s", sv.user, sv.pass)
	}
	s := newSite(t, fmt.Sprintf(`  - name: alice
    email: alice@example.com
    export_to: cal
    sources:
      - name: cal
        plugin: caldav
        options: {url: %q%s, calendars: [%q], task_lists: []}
`, sv.url, auth, cal))
	s.mustRun(0, "sync", "--user", "alice", "--yes")

	byKey := func() map[string]activityJSON {
		m := map[string]activityJSON{}
		for _, a := range s.activities() {
			if a.Source == "cal" {
				m[a.Key] = a
			}
		}
		return m
	}
	got := byKey()
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	want := []struct {
		key        string
		typ        adapters.ActivityType
		busy       adapters.BusyStatus
		start, end string
		allDay     bool
	}{
		{"ical:e2e-meeting@gwsync.test", adapters.TypeMeeting, adapters.BusyBusy, "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z", false},
		{"ical:e2e-dentist@gwsync.test", adapters.TypeAppointment, adapters.BusyFree, "2026-12-04T08:00:00Z", "2026-12-04T09:00:00Z", false},
		{"ical:e2e-weekly@gwsync.test/20261207", adapters.TypeAppointment, adapters.BusyBusy, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", true},
		{"ical:e2e-weekly@gwsync.test/20261214", adapters.TypeAppointment, adapters.BusyBusy, "2026-12-14T00:00:00Z", "2026-12-15T00:00:00Z", true},
		{"ical:e2e-weekly@gwsync.test/20261221", adapters.TypeAppointment, adapters.BusyBusy, "2026-12-21T00:00:00Z", "2026-12-22T00:00:00Z", true},
	}
	if len(got) != len(want) {
		t.Fatalf("imported %d activities, want %d: %v", len(got), len(want), keysOf(got))
	}
	for _, w := range want {
		a, ok := got[w.key]
		if !ok {
			t.Errorf("%s not imported (have %v)", w.key, keysOf(got))
			continue
		}
		if a.Type != w.typ || a.Busy != w.busy || a.AllDay != w.allDay || a.Start == nil || !a.Start.Equal(at(w.start)) || a.End == nil || !a.End.Equal(at(w.end)) {
			t.Errorf("%s: %s busy=%s all-day=%v %v-%v; want %s busy=%s all-day=%v %s-%s",
				w.key, a.Type, a.Busy, a.AllDay, a.Start, a.End, w.typ, w.busy, w.allDay, w.start, w.end)
		}
	}

	// Moved on the server: only that activity's times change.
	sv.put(t, cal+"dentist.ics", strings.NewReplacer("20261204T080000Z", "20261204T130000Z", "20261204T090000Z", "20261204T140000Z").Replace(e2eAppointment))
	r := s.mustRun(0, "sync", "--user", "alice", "--yes")
	after := byKey()
	if d := after["ical:e2e-dentist@gwsync.test"]; !d.Start.Equal(at("2026-12-04T13:00:00Z")) || !d.End.Equal(at("2026-12-04T14:00:00Z")) || d.Subject != "Dentist" {
		t.Fatalf("after the server move: %+v\n%s", d, r.stdout)
	}
	for k, a := range got {
		if b := after[k]; k != "ical:e2e-dentist@gwsync.test" && (!b.Start.Equal(*a.Start) || b.ID != a.ID || b.Subject != a.Subject) {
			t.Errorf("%s changed too: %+v -> %+v", k, a, b)
		}
	}

	// Edited on the server without a time change (a new ETag): no change
	// for the CRM, and the later write-back must use the new ETag.
	sv.put(t, cal+"meeting.ics", strings.Replace(e2eMeeting, "Bring the signed offer.", "Bring the signed offer and the price list.", 1))
	if r := s.mustRun(0, "sync", "--user", "alice", "--yes"); !strings.Contains(r.stdout, "nothing to apply") {
		t.Errorf("a description edit was synced as a change:\n%s", r.stdout)
	}

	// Moved in the CRM: the server's event moves; only its time lines
	// (and SEQUENCE) change.
	meeting := after["ical:e2e-meeting@gwsync.test"]
	crm := s.crm()
	res, err := crm.UpdateTimes(context.Background(), []adapters.TimeChange{{ID: meeting.ID,
		Raster: adapters.Raster{Start: at("2026-12-03T14:00:00Z"), End: at("2026-12-03T15:30:00Z"), TimeZone: "Europe/Berlin"}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("moving the activity in the CRM: %v %v", err, res)
	}
	before := sv.get(t, cal+"meeting.ics")
	s.mustRun(0, "sync", "--user", "alice", "--yes")
	moved := sv.get(t, cal+"meeting.ics")
	if !strings.Contains(moved, "DTSTART;TZID=Europe/Berlin:20261203T150000") || !strings.Contains(moved, "DTEND;TZID=Europe/Berlin:20261203T163000") {
		t.Fatalf("the server's event was not moved to 15:00-16:30 Berlin:\n%s", moved)
	}
	if a, b := otherLines(before), otherLines(moved); a != b {
		t.Errorf("lines besides the times changed:\nbefore:\n%s\nafter:\n%s", a, b)
	}

	// A CRM appointment is exported once, and a second run exports nothing.
	if _, err := crm.CreateActivity(context.Background(), adapters.Activity{Type: adapters.TypeAppointment,
		Subject: "Visit at the client", Owners: []string{"alice"},
		Raster: adapters.Raster{Start: at("2026-12-10T09:00:00Z"), End: at("2026-12-10T10:00:00Z")}}); err != nil {
		t.Fatal(err)
	}
	s.mustRun(0, "sync", "--user", "alice", "--yes")
	s.mustRun(0, "sync", "--user", "alice", "--yes")
	if n := countObjects(t, sv, cal, "Visit at the client"); n != 1 {
		t.Fatalf("the CRM appointment is on the server %d times, want once", n)
	}
	// A further run has nothing to do, listed by change (it looks at
	// nothing, so nothing counts as unchanged) and listed in full.
	for _, full := range []bool{false, true} {
		args := []string{"plan", "--user", "alice", "--json"}
		if full {
			args = append(args, "--full")
		}
		var p engine.Plan
		if err := json.Unmarshal([]byte(s.mustRun(0, args...).stdout), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Actions) != 0 || (full && p.Unchanged != len(want)+1) {
			t.Errorf("%v: a further run would still do %d things (%d unchanged): %+v", args, len(p.Actions), p.Unchanged, p.Actions)
		}
	}
}

var timeLine = regexp.MustCompile(`(?m)^(DTSTART|DTEND|DUE|DURATION|SEQUENCE|DTSTAMP|LAST-MODIFIED)[;:].*\r?\n`)

// otherLines is an object without the lines a time write may change.
func otherLines(ics string) string { return timeLine.ReplaceAllString(ics, "") }

// countObjects counts the calendar's objects whose data contains text.
func countObjects(t *testing.T, sv davServer, cal, text string) int {
	t.Helper()
	n := 0
	err := sv.client().Query(context.Background(), sv.abs(cal), func(r davx.Response) error {
		if strings.Contains(r.Props.CalendarData, text) {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func keysOf(m map[string]activityJSON) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
