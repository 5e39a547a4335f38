package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestTermSafeEscapesWhatATerminalWouldObey(t *testing.T) {
	for in, want := range map[string]string{
		"Quarterly review":                   "Quarterly review",
		"Grüße – 日本":                         "Grüße – 日本",
		"Invoice\x1b]0;pwned\x07\x1b[2J":     `Invoice\x1b]0;pwned\x07\x1b[2J`,
		"line\rover\nnext\ttab\x7f\u009b31m": `line\x0dover\x0anext\x09tab\x7f\x9b31m`,
		"txt.\u202eexe":                      `txt.\u202eexe`,
	} {
		if got := termSafe(in); got != want {
			t.Errorf("termSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogsEscapeControlCharacters(t *testing.T) {
	var buf strings.Builder
	logger := hclog.New(&hclog.LoggerOptions{Output: termSafeWriter{&buf}, Color: hclog.ColorOff})
	logger.Warn("item skipped", "subject", "Invoice\x1b]0;pwned\x07", "body", "two\nlines\x1b[2J")
	got := buf.String()
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `lines\x1b[2J`) || !strings.Contains(got, "two\n") {
		t.Errorf("log line %q: want escapes shown, line breaks kept", got)
	}
}

// hostileICS has a subject that would retitle the terminal and clear it.
const hostileICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
	"UID:hostile-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270114T090000Z\r\nDTEND:20270114T100000Z\r\n" +
	"SUMMARY:Invoice\x1b]0;pwned\x07\x1b[2J\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestPlanAndActivitiesEscapeControlCharacters(t *testing.T) {
	s := newSite(t, "")
	if err := os.WriteFile(filepath.Join(s.cal, "hostile.ics"), []byte(hostileICS), 0o644); err != nil {
		t.Fatal(err)
	}
	const shown = `Invoice\x1b]0;pwned\x07\x1b[2J`
	table := s.mustRun(0, "plan").stdout
	if strings.ContainsAny(table, "\x1b\x07") || !strings.Contains(table, shown) {
		t.Errorf("plan table:\n%s\nwant the subject shown as %s, no raw control characters", table, shown)
	}
	if js := s.mustRun(0, "plan", "--json").stdout; !strings.Contains(js, `"subject": "Invoice\u001b]0;pwned\u0007\u001b[2J"`) {
		t.Errorf("plan --json does not keep the subject as JSON:\n%s", js)
	}
	s.mustRun(0, "sync", "--yes")
	list := s.mustRun(0, "activities").stdout
	if strings.ContainsAny(list, "\x1b\x07") || !strings.Contains(list, shown) {
		t.Errorf("activities table:\n%s\nwant the subject shown as %s", list, shown)
	}
}
