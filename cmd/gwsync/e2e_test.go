package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	_ "modernc.org/sqlite"
)

func countTypes(acts []activityJSON) map[adapters.ActivityType]int {
	out := map[adapters.ActivityType]int{}
	for _, a := range acts {
		out[a.Type]++
	}
	return out
}

// The "done when": the quickstart imports every activity type, a
// second run changes nothing, and a start edited in the CRM database is
// written back into the matching .ics file and nothing else in it.
func TestQuickstartImportThenCRMEditIsWrittenBack(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "mail"), s.mail)

	r := s.mustRun(0, "sync", "--yes")
	if !strings.Contains(r.stdout, "13 created") {
		t.Fatalf("first sync: %s", r.stdout)
	}
	acts := s.activities()
	got := countTypes(acts)
	if got[adapters.TypeMailIn] != 5 || got[adapters.TypeTask] != 2 || got[adapters.TypeMeeting] != 1 || got[adapters.TypeAppointment] != 5 {
		t.Fatalf("types %v", got)
	}
	for _, a := range acts {
		if a.Source != "files" || a.SourceItemID == "" || a.ID == "" {
			t.Fatalf("activity without its source: %+v", a)
		}
		for _, c := range a.Contacts {
			if c == "sam.seller@example.com" {
				t.Fatalf("the user's own address became a contact: %+v", a)
			}
		}
	}
	if p := s.plan(); len(p.Actions) != 0 || p.Unchanged != 13 {
		t.Fatalf("second plan: %d actions, %d unchanged", len(p.Actions), p.Unchanged)
	}
	s.mustRun(0, "sync", "--yes")
	if n := len(s.activities()); n != 13 {
		t.Fatalf("second sync changed the CRM: %d activities", n)
	}

	// Move the Northwind visit by an hour with plain SQL, as a person with
	// sqlite3 would.
	file := filepath.Join(s.cal, "customer-visit-northwind.ics")
	before, _ := os.ReadFile(file)
	db, err := sql.Open("sqlite", filepath.Join(s.dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`UPDATE activities SET start_at='2027-01-14T10:00:00Z', end_at='2027-01-14T11:30:00Z'
		WHERE source_item='calendar/customer-visit-northwind.ics'`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("update: %v, %d rows", err, n)
	}
	db.Close()
	p := s.plan()
	if len(p.Actions) != 1 || p.Actions[0].Kind != "update-groupware" {
		t.Fatalf("plan after the CRM edit: %+v", p.Actions)
	}
	s.mustRun(0, "sync", "--yes")
	after, _ := os.ReadFile(file)
	bl, al := bytes.Split(before, []byte("\n")), bytes.Split(after, []byte("\n"))
	if len(bl) != len(al) {
		t.Fatalf("line count changed: %d → %d\n%s", len(bl), len(al), after)
	}
	var changed []string
	for i := range bl {
		if !bytes.Equal(bl[i], al[i]) {
			changed = append(changed, string(bytes.TrimSpace(al[i])))
		}
	}
	want := []string{"DTSTART;TZID=Europe/Berlin:20270114T110000", "DTEND;TZID=Europe/Berlin:20270114T123000"}
	if strings.Join(changed, "|") != strings.Join(want, "|") {
		t.Fatalf("changed lines %q, want %q", changed, want)
	}
	if p := s.plan(); len(p.Actions) != 0 {
		t.Fatalf("not settled after write-back: %+v", p.Actions)
	}
}

// Bad input: every malformed file is reported with its name and skipped,
// the good ones import, the run exits 3, and the bad ones are tried again.
func TestMalformedInputIsReportedAndTheRestImports(t *testing.T) {
	s := newSite(t, "")
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "malformed", "calendar"), s.cal)
	copyDir(t, filepath.Join("..", "..", "testdata", "malformed", "mail"), s.mail)
	r := s.mustRun(exitPartial, "sync", "--yes")
	if !strings.Contains(r.stdout, "failed:") {
		t.Fatalf("no per-item errors printed:\n%s", r.stdout)
	}
	st := s.mustRun(0, "status")
	if !strings.Contains(st.stdout, "outstanding: files calendar/") {
		t.Fatalf("status does not name the bad files:\n%s", st.stdout)
	}
	// The same bad files again: reported as still failing, no longer a
	// partial run (exit 3 is for new failures).
	again := s.mustRun(0, "sync", "--yes")
	if !strings.Contains(again.stdout, "still failing since") || !strings.Contains(again.stdout, "2 attempts") {
		t.Fatalf("second run does not say the failures are old:\n%s", again.stdout)
	}
	p := s.plan()
	if len(p.Problems) == 0 {
		t.Fatal("bad files are not retried on the next run")
	}
	for _, pr := range p.Problems {
		if pr.ItemID == "" || pr.Reason == "" {
			t.Fatalf("problem without its file or reason: %+v", pr)
		}
	}
	if got := countTypes(s.activities()); got[adapters.TypeAppointment] < 5 || got[adapters.TypeTask] < 2 || got[adapters.TypeMeeting] < 1 {
		t.Fatalf("good calendar items missing: %v", got)
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	s := newSite(t, "")
	bad := strings.Replace(mustRead(t, s.config), "calendar_dir:", "calendar_dri:", 1)
	os.WriteFile(s.config, []byte(bad), 0o644)
	r := s.mustRun(exitError, "config", "check")
	if !strings.Contains(r.stdout, "gwsync.yaml:9:") || !strings.Contains(r.stdout, `calendar_dri`) {
		t.Fatalf("config check output:\n%s\n%s", r.stdout, r.stderr)
	}
	bad = strings.Replace(mustRead(t, s.config), "plugin: files", "plugin: filez", 1)
	os.WriteFile(s.config, []byte(bad), 0o644)
	r = s.mustRun(exitError, "sync", "--yes")
	if !strings.Contains(r.stderr, `unknown plugin "filez"`) || !strings.Contains(r.stderr, "files") {
		t.Fatalf("unknown plugin must list the available ones:\n%s", r.stderr)
	}
}

func TestSyncRefusesWithoutATerminalOrYes(t *testing.T) {
	s := newSite(t, "")
	r := s.mustRun(exitUsage, "sync")
	if !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("%s", r.stderr)
	}
	s.mustRun(exitUsage, "sync", "--exclude", "nope", "--yes")
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
