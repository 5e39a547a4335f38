package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `gwsync sync` over a folder of .ics files imports recurring series as
// their occurrences inside the sync window (issue 17, item 0): a weekly
// meeting started in 2020 imports this window's Mondays, an EXDATE on
// DTSTART drops that occurrence, an overridden first occurrence is one
// activity. A second run changes nothing.
func TestSyncExpandsSeriesFromFiles(t *testing.T) {
	s := newSite(t, "    window: {past: 30d, future: 30d}\n")
	write := func(name string, lines ...string) {
		all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}, lines...)
		all = append(all, "END:VCALENDAR")
		if err := os.WriteFile(filepath.Join(s.cal, name), []byte(strings.Join(all, "\r\n")+"\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	day := now.AddDate(0, 0, 7).Truncate(24 * time.Hour) // a week ahead: well inside the window
	stamp := func(t time.Time) string { return t.Format("20060102T150405Z") }
	write("jour-fixe.ics", "BEGIN:VEVENT", "UID:jour-fixe", "DTSTAMP:20200101T000000Z",
		"DTSTART;TZID=Europe/Berlin:20200302T090000", "DTEND;TZID=Europe/Berlin:20200302T100000",
		"RRULE:FREQ=WEEKLY;BYDAY=MO", "SUMMARY:Jour fixe", "END:VEVENT")
	first := day.Add(10 * time.Hour)
	write("exdate-first.ics", "BEGIN:VEVENT", "UID:exdate-first", "DTSTAMP:20200101T000000Z",
		"DTSTART:"+stamp(first), "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:"+stamp(first),
		"SUMMARY:Daily check", "END:VEVENT")
	write("override-first.ics", "BEGIN:VEVENT", "UID:override-first", "DTSTAMP:20200101T000000Z",
		"DTSTART:"+stamp(day.Add(12*time.Hour)), "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=2", "SUMMARY:Planning", "END:VEVENT",
		"BEGIN:VEVENT", "UID:override-first", "DTSTAMP:20200101T000000Z", "RECURRENCE-ID:"+stamp(day.Add(12*time.Hour)),
		"DTSTART:"+stamp(day.Add(15*time.Hour)), "DURATION:PT1H", "SUMMARY:Planning (moved)", "END:VEVENT")

	// The Mondays at 09:00 Berlin overlapping [now-30d, now+30d].
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from, to := now.AddDate(0, 0, -30), now.AddDate(0, 0, 30)
	var mondays []string
	for d := time.Date(from.Year(), from.Month(), from.Day()-1, 9, 0, 0, 0, berlin); d.Before(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday && d.Add(time.Hour).After(from) && !d.After(to) {
			mondays = append(mondays, d.UTC().Format(time.RFC3339))
		}
	}

	r := s.mustRun(0, "sync", "--yes")
	want := len(mondays) + 2 + 2
	if !strings.Contains(r.stdout, fmt.Sprintf("%d created", want)) {
		t.Fatalf("sync: want %d created\n%s\n%s", want, r.stdout, r.stderr)
	}
	bySubject := map[string][]string{}
	for _, a := range s.activities() {
		if a.Start == nil || !strings.HasPrefix(a.SourceItemID, "calendar/") || !strings.Contains(a.Key, "/") {
			t.Errorf("not an occurrence: %+v", a)
			continue
		}
		bySubject[a.Subject] = append(bySubject[a.Subject], a.Start.UTC().Format(time.RFC3339))
	}
	if got := strings.Join(bySubject["Jour fixe"], " "); got != strings.Join(mondays, " ") {
		t.Errorf("jour fixe at %s, want %s", got, strings.Join(mondays, " "))
	}
	if got := bySubject["Daily check"]; len(got) != 2 || got[0] != first.AddDate(0, 0, 1).Format(time.RFC3339) {
		t.Errorf("daily check at %v (the first is excluded)", got)
	}
	if len(bySubject["Planning"]) != 1 || len(bySubject["Planning (moved)"]) != 1 ||
		bySubject["Planning (moved)"][0] != day.Add(15*time.Hour).Format(time.RFC3339) {
		t.Errorf("planning: %v / moved %v", bySubject["Planning"], bySubject["Planning (moved)"])
	}
	if p := s.plan(); len(p.Actions) != 0 || p.Unchanged != want {
		t.Fatalf("second plan: %d actions, %d unchanged, want %d", len(p.Actions), p.Unchanged, want)
	}
}
