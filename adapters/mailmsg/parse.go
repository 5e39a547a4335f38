package mailmsg

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-x, Windows-125x, ...
	"github.com/emersion/go-message/mail"

	"github.com/gwsync/gwsync/adapters"
)

// Parse reads one message (KindMessage) from r, reading r to its end.
//
// Key is "mid:<Message-ID>" (without angle brackets, trimmed). A message
// without a Message-ID gets the stable synthetic key
// "mid-synth:<hex SHA-256 of date|from|subject|size>", where date is the
// Date header in UTC RFC 3339 ("" if missing), from the lower-cased sender
// address, subject the decoded subject and size the raw message length in
// bytes: the same file always gets the same key, and two different messages
// practically never do.
//
// Errors: only when nothing is usable, an empty input or one with no header
// (or a read error of r itself). Everything else (undecodable subject,
// unknown charset, bad base64, broken MIME boundary, invalid bytes, missing
// headers) imports what could be read and says what could not in Warnings.
func Parse(r io.Reader) (adapters.Item, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReader(cr)
	if _, err := br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return adapters.Item{}, fmt.Errorf("empty message")
		}
		return adapters.Item{}, err
	}
	var lineWarning string
	if crOnly(br) {
		br = bufio.NewReader(&crToLF{r: br})
		lineWarning = "lines end in CR alone: read as line breaks"
	}
	hb, err := readHeader(br)
	if err != nil {
		if errors.Is(err, errNoHeader) {
			return adapters.Item{}, err
		}
		return adapters.Item{}, fmt.Errorf("reading the header: %w", err)
	}
	h := mail.Header{Header: message.Header{Header: hb.header}}
	it := adapters.Item{Kind: adapters.KindMessage}
	if lineWarning != "" {
		it.Warnings = append(it.Warnings, lineWarning)
	}
	it.Warnings = append(it.Warnings, hb.warnings...)
	readHeaders(h, &it)

	var body io.Reader = br
	if len(hb.body) > 0 {
		body = io.MultiReader(bytes.NewReader(hb.body), br)
	}
	w := &walker{}
	w.entity(h.Header, body, 0, entityPlace{mayBeBody: true})
	it.Body, it.Attachments = w.text(), w.attachments
	it.Warnings = capWarnings(append(it.Warnings, w.warnings...))
	if _, err := io.Copy(io.Discard, br); err != nil {
		return adapters.Item{}, err
	}
	if it.Key == "" {
		it.Key = SyntheticKey(it.Date, it.From, it.Subject, cr.n)
	}
	return it, nil
}

// capWarnings keeps the first maxWarnings warnings and says how many more
// there were: a message with ten thousand broken parts has one short note.
func capWarnings(list []string) []string {
	if len(list) <= maxWarnings {
		return list
	}
	more := len(list) - (maxWarnings - 1)
	return append(list[:maxWarnings-1:maxWarnings-1], fmt.Sprintf("%d more warnings", more))
}

// SyntheticKey is the key of a message without a Message-ID (see Parse).
func SyntheticKey(date time.Time, from, subject string, size int64) string {
	d := ""
	if !date.IsZero() {
		d = date.UTC().Format(time.RFC3339)
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%d", d, from, subject, size)))
	return "mid-synth:" + hex.EncodeToString(sum[:])
}

// countingReader counts the raw bytes of the message.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readHeaders fills the header fields of it, each with its own fallback.
func readHeaders(h mail.Header, it *adapters.Item) {
	warn := func(format string, args ...any) { it.Warnings = append(it.Warnings, fmt.Sprintf(format, args...)) }

	subject, err := unfoldedText(h, "Subject")
	if err != nil {
		warn("Subject: cannot decode (%v); kept as written", err)
	}
	// A subject is one line: a tab (kept by unfolding a field folded
	// with one) is a space there.
	it.Subject = strings.ReplaceAll(legacyText(subject, "Subject", warn), "\t", " ")
	if clean, changed := withoutControls(it.Subject, ""); changed {
		warn("Subject: control characters removed")
		it.Subject = clean
	}

	from := addresses(h, "From", warn)
	if len(from) > 0 {
		it.From = from[0]
	} else {
		warn("no From address")
	}
	it.To = addresses(h, "To", warn)
	it.Cc = addresses(h, "Cc", warn)

	if h.Get("Date") == "" {
		warn("no Date header")
	} else if d, err := headerDate(h); err == nil {
		it.Date = d.UTC()
	} else if d, ok := lenientDate(h.Get("Date")); ok {
		it.Date = d.UTC()
	} else {
		warn("Date: cannot read %q", clip(h.Get("Date")))
	}
	if y := it.Date.Year(); !it.Date.IsZero() && (y < 1 || y > 9999) {
		// Times are stored in years 1 to 9999; a Date beyond them is
		// made up, and would fail every write of the item.
		warn("Date: year %d is not a real date; not used", y)
		it.Date = time.Time{}
	}
	it.Raster.Start = it.Date

	id, err := h.MessageID()
	if err != nil || id == "" {
		id = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	switch id = strings.TrimSpace(id); {
	case id == "":
	case len(id) > maxMessageIDBytes:
		warn("Message-ID longer than %d bytes: not used as the key", maxMessageIDBytes)
	case strings.ContainsFunc(id, isControl):
		warn("Message-ID %q holds control characters: not used as the key", clip(id))
	default:
		it.Key = "mid:" + strings.ToValidUTF8(id, "\uFFFD")
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// commonDate is how nearly every mail client writes Date (RFC 5322 3.3
// with the day of the week and a numeric zone).
const commonDate = "Mon, 2 Jan 2006 15:04:05 -0700"

// headerDate reads Date as net/mail.ParseDate does, trying the common
// form first. ParseDate tries its 24 layouts without a day of the week
// before this one, each failure building an error: a tenth of the time
// of parsing a typical message. A value of exactly this form has no
// other reading in ParseDate (its only '+' or '-' is the zone, and the
// layouts before it need a digit first), so the result is the same.
func headerDate(h mail.Header) (time.Time, error) {
	if t, err := time.Parse(commonDate, strings.TrimSpace(h.Get("Date"))); err == nil {
		return t, nil
	}
	return h.Date()
}

// lenientDate tries the date layouts seen in the wild that net/mail refuses.
func lenientDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxDateBytes {
		return time.Time{}, false
	}
	for _, layout := range []string{
		"Mon, 2 Jan 2006 15:04:05 -0700 (MST)", "Mon, 2 Jan 2006 15:04 -0700", "2 Jan 2006 15:04:05 MST",
		"Mon Jan 2 15:04:05 2006", "Mon, 2 Jan 2006 15:04:05", time.RFC3339, "2006-01-02 15:04:05 -0700",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
