package mailmsg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

const okHead = "Message-ID: <b@gwsync.test>\r\nFrom: a@example.com\r\nDate: Mon, 15 Mar 2027 10:00:00 +0000\r\nSubject: s\r\n"

func TestLongHeaderFieldDropped(t *testing.T) {
	it := parse(t, string(longHeaderMessage(10<<20)))
	if it.Key != "mid:long-header@gwsync.test" || it.Subject != "long header" || it.Body != "body" || !warned(it, "X-Junk longer than") {
		t.Errorf("item %+v", it)
	}
}

func TestTooManyHeaderFields(t *testing.T) {
	msg := okHead + strings.Repeat("X-A: b\r\n", 3*maxHeaderFields) + "\r\nbody\r\n"
	it := parse(t, msg)
	if it.Body != "body" || !warned(it, "header fields: the rest dropped") {
		t.Errorf("body %q, warnings %q", it.Body, it.Warnings)
	}
}

func TestPartsCapped(t *testing.T) {
	it := parse(t, string(manyPartsMessage(5*maxParts)))
	if len(it.Attachments) >= maxParts || !warned(it, "MIME parts") {
		t.Errorf("%d attachments, warnings %q", len(it.Attachments), it.Warnings)
	}
}

func TestDeepNestingReadsTheTop(t *testing.T) {
	it := parse(t, string(nestedMessage(1000)))
	if it.Key != "mid:nested@gwsync.test" || !warned(it, "nested deeper") {
		t.Errorf("item %+v", it)
	}
}

func TestWarningsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(okHead + "Content-Type: multipart/mixed; boundary=p\r\n\r\n")
	for i := 0; i < 100; i++ {
		b.WriteString("--p\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n")
	}
	b.WriteString("--p--\r\n")
	it := parse(t, b.String())
	if len(it.Warnings) != maxWarnings || !strings.HasSuffix(it.Warnings[maxWarnings-1], "more warnings") {
		t.Errorf("%d warnings: %q", len(it.Warnings), it.Warnings)
	}
}

func TestPartHeaderBounded(t *testing.T) {
	msg := okHead + "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\nfirst\r\n" +
		"--p\r\nX-Junk: " + strings.Repeat("j", 4<<20) + "\r\n\r\nsecond\r\n--p--\r\n"
	it := parse(t, msg)
	if it.Body != "first" || !warned(it, "part header larger") {
		t.Errorf("body %q, warnings %q", it.Body, it.Warnings)
	}
}

func TestMboxFromLineSkipped(t *testing.T) {
	it := parse(t, "From bob@example.com Mon Mar 15 10:00:00 2027\r\n"+okHead+"\r\nbody\r\n")
	if it.Key != "mid:b@gwsync.test" || it.Body != "body" || !warned(it, "mbox") {
		t.Errorf("item %+v", it)
	}
}

func TestLineWithoutColonStartsTheBody(t *testing.T) {
	it := parse(t, okHead+"this is no header\r\nX-Later: x\r\n\r\nbody\r\n")
	if it.Subject != "s" || !strings.HasPrefix(it.Body, "this is no header") || !warned(it, "has no colon") {
		t.Errorf("item %+v", it)
	}
}

func TestCROnlyLineEnds(t *testing.T) {
	it := parse(t, strings.ReplaceAll(okHead+"\r\nline 1\r\nline 2\r\n", "\r\n", "\r"))
	if it.Key != "mid:b@gwsync.test" || it.Subject != "s" || it.Body != "line 1\nline 2" || !warned(it, "CR alone") {
		t.Errorf("item %+v", it)
	}
}

func TestMultipartWithoutBoundaryReadAsText(t *testing.T) {
	it := parse(t, okHead+"Content-Type: multipart/mixed\r\n\r\nsome text\r\n")
	if it.Body != "some text" || !warned(it, "without a boundary") {
		t.Errorf("item %+v", it)
	}
}

func TestUnusableMessageIDs(t *testing.T) {
	for name, id := range map[string]string{
		"too long": "<" + strings.Repeat("x", 2*maxMessageIDBytes) + "@gwsync.test>",
		"control":  "<a\x01b@gwsync.test>",
	} {
		it := parse(t, strings.Replace(okHead, "<b@gwsync.test>", id, 1)+"\r\nbody\r\n")
		if !strings.HasPrefix(it.Key, "mid-synth:") || !warned(it, "Message-ID") {
			t.Errorf("%s: key %q, warnings %q", name, it.Key, it.Warnings)
		}
	}
}

// TestHostileSizesImport: big hostile messages import within the bounds
// (the timings are in the benchmarks).
func TestHostileSizesImport(t *testing.T) {
	for _, msg := range [][]byte{bigLatin1Message(5 << 20), encodedWordAbuseMessage(1 << 20), longHeaderMessage(1 << 20)} {
		it, err := Parse(bytes.NewReader(msg))
		if err != nil || it.Key == "" || len(it.Body) > MaxBodyBytes {
			t.Errorf("%s: %v, key %q, %d bytes of body", fmt.Sprint(len(msg)), err, it.Key, len(it.Body))
		}
	}
}

func TestDateOutsideStorableYears(t *testing.T) {
	it := parse(t, strings.Replace(okHead, "Mon, 15 Mar 2027 10:00:00 +0000", "Sat, 1 Jan 0000 00:00:00 +0000", 1)+"\r\nbody\r\n")
	if !it.Date.IsZero() || !it.Raster.Start.IsZero() || !warned(it, "year 0") {
		t.Errorf("date %v, warnings %q", it.Date, it.Warnings)
	}
}

func TestControlCharactersRemoved(t *testing.T) {
	it := parse(t, strings.Replace(okHead, "Subject: s", "Subject: a\x00b\tc\x1b", 1)+"From2: x\r\n\r\nline\x00 one\x07\r\n\ttwo\x7f\r\n")
	if it.Subject != "ab c" || it.Body != "line one\n\ttwo" || !warned(it, "Subject: control") || !warned(it, "body: control") {
		t.Errorf("subject %q, body %q, warnings %q", it.Subject, it.Body, it.Warnings)
	}
	it = parse(t, strings.Replace(okHead, "From: a@example.com", "From: Mal\x07 <mal\x01lory@example.com>", 1)+"\r\nbody\r\n")
	if it.From != "lory@example.com" {
		t.Errorf("from %q", it.From)
	}
}

// An HTML body of a megabyte of unclosed '<' is read in linear time (the
// tag pattern used to rescan the rest of the text from every '<').
func TestHTMLToTextManyUnclosedTags(t *testing.T) {
	s := strings.Repeat("<a", 1<<19) + " end"
	if got := HTMLToText(s); !strings.HasSuffix(got, "end") {
		t.Fatalf("text ends %q", got[max(0, len(got)-20):])
	}
}
