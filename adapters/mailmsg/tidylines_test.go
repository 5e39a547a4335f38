package mailmsg

import (
	"bufio"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// tidyLines does what the two regular expressions it replaced did, on
// every short mix of text, spaces, tabs and line breaks.
func TestTidyLinesMatchesTheRegularExpressions(t *testing.T) {
	lineEdgeSpaces := regexp.MustCompile(`[ \t]*\n[ \t]*`)
	blankLines := regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+\n`)
	want := func(s string) string {
		return blankLines.ReplaceAllString(lineEdgeSpaces.ReplaceAllString(s, "\n"), "\n\n")
	}
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "bc", " ", "\t", "\n", "\n", "\r", "ü"}
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for range r.Intn(14) {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		s := b.String()
		if got, w := tidyLines(s), want(s); got != w {
			t.Fatalf("tidyLines(%q) = %q, want %q", s, got, w)
		}
	}
}

// A message's Date in the common form reads as net/mail reads it, and
// forms it does not cover still go through net/mail.
func TestHeaderDateReadsAsNetMail(t *testing.T) {
	for _, v := range []string{
		"Mon, 02 Jan 2006 15:04:05 -0700", "Tue, 3 Feb 2026 08:00:00 +0100", " Wed, 13 Jan 2027 10:00:00 +0000 ",
		"Thu, 20 Nov 1997 09:55:06 MDT", "2 Jan 2006 15:04 -0700", "Mon, 02 Jan 2006 15:04:05 -0700 (PST)",
		"Fri, 31 Feb 2026 10:00:00 +0000", "not a date",
	} {
		var h = headerOf(t, "Date: "+v)
		got, gerr := headerDate(h)
		want, werr := h.Date()
		if (gerr == nil) != (werr == nil) || !got.Equal(want) {
			t.Errorf("Date %q: headerDate = %v, %v; net/mail = %v, %v", v, got, gerr, want, werr)
		}
		if gerr == nil && got.Equal(time.Time{}) {
			t.Errorf("Date %q: zero time", v)
		}
	}
}

// headerOf reads one header field as Parse does.
func headerOf(t *testing.T, field string) mail.Header {
	t.Helper()
	hb, err := readHeader(bufio.NewReader(strings.NewReader(field + "\r\n\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return mail.Header{Header: message.Header{Header: hb.header}}
}
