package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/internal/testenv"
)

const e2ePrivate = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//EN
BEGIN:VEVENT
UID:e2e-private@gwsync.test
DTSTAMP:20260101T000000Z
DTSTART:20261210T080000Z
DTEND:20261210T090000Z
SUMMARY:Therapy session
DESCRIPTION:Room 4
LOCATION:Practice
CLASS:CONFIDENTIAL
ORGANIZER:mailto:alice@example.com
ATTENDEE:mailto:therapist@example.org
END:VEVENT
END:VCALENDAR
`

// Private items end to end against Radicale: with the default policy the
// plan reports the confidential event as "private, not imported" and the
// CRM never sees it; with private_items: busy only its times arrive, under
// a neutral subject, and a move on the server still reaches the CRM.
func TestPrivateItemsAgainstRadicale(t *testing.T) {
	sv := davServer{testenv.Var(t, "RADICALE_URL"), testenv.Var(t, "RADICALE_USER"), testenv.Var(t, "RADICALE_PASSWORD")}
	cal := sv.newCalendar(t)
	sv.put(t, cal+"private.ics", e2ePrivate)
	sv.put(t, cal+"dentist.ics", e2eAppointment)
	user := func(name, policy string) string {
		return fmt.Sprintf(`  - name: %s
    email: %s@example.com
    private_items: %s
    sources:
      - name: cal
        plugin: caldav
        options: {url: %q, username: %s, password: %s, calendars: [%q], task_lists: []}
`, name, name, policy, sv.url, sv.user, sv.pass, cal)
	}
	s := newSite(t, user("alice", "skip")+user("bob", "busy"))

	var plan engine.Plan
	r := s.mustRun(0, "plan", "--user", "alice", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	reported := false
	for _, a := range plan.Actions {
		if a.Key == "ical:e2e-private@gwsync.test" {
			reported = a.Kind == engine.ActSkip && a.Reason == "private, not imported"
		}
	}
	if !reported {
		t.Errorf("alice's plan does not report the confidential event as private, not imported:\n%s", r.stdout)
	}
	s.mustRun(0, "sync", "--user", "alice", "--yes")
	s.mustRun(0, "sync", "--user", "bob", "--yes")

	var bobs []activityJSON
	for _, a := range s.activities() {
		if strings.Contains(a.Subject, "Therapy") || strings.Contains(a.Body, "Room 4") {
			t.Errorf("the private event's text reached the CRM: %+v", a)
		}
		if a.Key == "ical:e2e-private@gwsync.test" {
			if len(a.Owners) != 1 || a.Owners[0] != "bob" {
				t.Errorf("private activity owned by %v, want bob alone (alice skips it)", a.Owners)
			}
			bobs = append(bobs, a)
		}
	}
	if len(bobs) != 1 {
		t.Fatalf("%d activities for the private event, want bob's one", len(bobs))
	}
	a := bobs[0]
	if a.Subject != engine.PrivateSubject || a.Body != "" || len(a.Contacts) != 0 || a.Type != adapters.TypeAppointment ||
		a.Start == nil || a.Start.UTC().Format("2006-01-02T15:04") != "2026-12-10T08:00" {
		t.Errorf("bob's private activity %+v, want only the times as %q", a, engine.PrivateSubject)
	}

	// Moved on the server: the times follow, nothing else is written.
	sv.put(t, cal+"private.ics", strings.NewReplacer("T080000Z", "T100000Z", "T090000Z", "T110000Z").Replace(e2ePrivate))
	s.mustRun(0, "sync", "--user", "bob", "--yes")
	for _, a := range s.activities() {
		if a.Key == "ical:e2e-private@gwsync.test" {
			if a.Start == nil || a.Start.UTC().Format("15:04") != "10:00" || a.Subject != engine.PrivateSubject || a.Body != "" {
				t.Errorf("after the move: %+v", a)
			}
		}
	}
}
