package icalendar

import (
	"strings"
	"testing"
	"time"
)

func TestUnfoldLineEndings(t *testing.T) {
	for name, eol := range map[string]string{"crlf": "\r\n", "lf": "\n", "cr only": "\r"} {
		t.Run(name, func(t *testing.T) {
			lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:e1@example.com",
				"DTSTART:20270114T090000Z", "DESCRIPTION:one", " two", "", "\tthree", " ", " four", "SUMMARY:Gr\xc3", " \xbc\xc3\x9fe", "END:VEVENT", "END:VCALENDAR"}
			it := parseOne(t, []byte(strings.Join(lines, eol)+eol), ParseOptions{})
			if it.Body != "onetwothreefour" {
				t.Errorf("body %q, want the four pieces joined", it.Body)
			}
			if it.Subject != "Grüße" {
				t.Errorf("subject %q: a fold inside a UTF-8 sequence must join to Grüße", it.Subject)
			}
			if it.Raster.Start != utc("2027-01-14 09:00") {
				t.Errorf("start %v", it.Raster.Start)
			}
		})
	}
}

// TestUnfoldLargeValueIsLinear guards against quadratic unfolding: a 5 MB
// folded DESCRIPTION took 108 s when each piece was appended to a string.
// The bound is a hang guard, not a speed target (see BenchmarkParseLarge).
func TestUnfoldLargeValueIsLinear(t *testing.T) {
	data := largeEvent("DESCRIPTION", 5<<20)
	start := time.Now()
	it := parseOne(t, data, ParseOptions{})
	if len(it.Body) != 5<<20 {
		t.Errorf("body has %d bytes, want %d", len(it.Body), 5<<20)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("parsing 5 MB took %s", d)
	}
}

// TestFoldInvalidUTF8Ends: fold looked back for a rune start and looped
// forever on a line of continuation bytes (a hostile TZID in a patch).
func TestFoldInvalidUTF8Ends(t *testing.T) {
	line := "DTSTART;TZID=" + strings.Repeat("\x80", 200) + ":20270101T090000"
	out := fold(line, "\r\n")
	if got := strings.ReplaceAll(out[:len(out)-2], "\r\n ", ""); got != line {
		t.Errorf("fold lost bytes: %q", got)
	}
}

func TestUnfoldSkipsByteOrderMark(t *testing.T) {
	data := append([]byte("\xef\xbb\xbf"), cal(event("DTSTART:20270114T090000Z", "SUMMARY:BOM")...)...)
	if it := parseOne(t, data, ParseOptions{}); it.Subject != "BOM" || it.Unreadable != "" {
		t.Errorf("item %+v", it)
	}
}
