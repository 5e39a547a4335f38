package engine

import (
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

func TestClassify(t *testing.T) {
	org := "boss@example.com"
	for _, tc := range []struct {
		name string
		it   adapters.Item
		want adapters.ActivityType
	}{
		{"message", adapters.Item{Kind: adapters.KindMessage, To: []string{"a@x"}}, adapters.TypeMailIn},
		{"task", adapters.Item{Kind: adapters.KindTask}, adapters.TypeTask},
		{"event alone busy", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyBusy}, adapters.TypeAppointment},
		{"event tentative", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyTentative}, adapters.TypeAppointment},
		{"event available", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyFree}, adapters.TypeAppointment},
		{"event out of office", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyOutOfOffice}, adapters.TypeAppointment},
		{"event unknown busy", adapters.Item{Kind: adapters.KindEvent}, adapters.TypeAppointment},
		{"organizer is only attendee", adapters.Item{Kind: adapters.KindEvent, From: org, Attendees: []string{"mailto:BOSS@example.com"}}, adapters.TypeAppointment},
		{"one other attendee", adapters.Item{Kind: adapters.KindEvent, From: org, Attendees: []string{org, "client@example.org"}}, adapters.TypeMeeting},
		{"tentative meeting", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyTentative, Attendees: []string{"c@example.org"}}, adapters.TypeMeeting},
		{"free meeting", adapters.Item{Kind: adapters.KindEvent, Busy: adapters.BusyFree, Attendees: []string{"c@example.org"}}, adapters.TypeMeeting},
	} {
		if got := Classify(tc.it); got != tc.want {
			t.Errorf("%s: Classify = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestFollowUpIsAppointment(t *testing.T) {
	if CRMType(adapters.TypeFollowUp) != adapters.TypeAppointment {
		t.Fatal("FOLLOWUP must be handled as APPOINTMENT")
	}
	for _, typ := range adapters.ActivityTypes {
		if typ != adapters.TypeFollowUp && CRMType(typ) != typ {
			t.Errorf("CRMType(%s) = %s", typ, CRMType(typ))
		}
	}
	if !Exportable(adapters.Activity{Type: adapters.TypeFollowUp}) || !Exportable(adapters.Activity{Type: adapters.TypeMeeting}) {
		t.Error("follow-ups and meetings created in the CRM are exported")
	}
	if Exportable(adapters.Activity{Type: adapters.TypeAppointment, Key: "ical:x"}) {
		t.Error("an imported appointment is not exported again")
	}
	if Exportable(adapters.Activity{Type: adapters.TypeMailIn}) || Exportable(adapters.Activity{Type: adapters.TypeTask}) {
		t.Error("mail and tasks are not exported")
	}
}

func TestPolicyResolve(t *testing.T) {
	older, newer := mustTime("2026-12-01T10:00:00Z"), mustTime("2026-12-02T10:00:00Z")
	for _, tc := range []struct {
		p        Policy
		src, crm string
		writable bool
		want     ActionKind
	}{
		{SourceWins, "", "", true, ActUpdateCRM},
		{CRMWins, "", "", true, ActUpdateGroupware},
		{CRMWins, "", "", false, ""},
		{Manual, "", "", true, ""},
		{NewestWins, "new", "old", true, ActUpdateCRM},
		{NewestWins, "old", "new", true, ActUpdateGroupware},
		{NewestWins, "old", "new", false, ""},
	} {
		pick := func(s string) (tt timeT) {
			switch s {
			case "old":
				return older
			case "new":
				return newer
			}
			return tt
		}
		if got := tc.p.resolve(pick(tc.src), pick(tc.crm), tc.writable); got != tc.want {
			t.Errorf("%s src=%s crm=%s writable=%v: %q, want %q", tc.p, tc.src, tc.crm, tc.writable, got, tc.want)
		}
	}
	if _, err := ParsePolicy("neweset-wins"); err == nil {
		t.Error("a misspelt policy must be refused")
	}
}
