package mailmsg

import (
	"bufio"
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
	"github.com/emersion/go-message/textproto"

	"github.com/gwsync/gwsync/adapters"
)

// MaxBodyBytes caps the text kept from a message: of the plain-text body
// and of the HTML body each at most this many decoded bytes are held, so a
// 50 MB mail costs no more memory than a short one. A longer body is cut
// with a Warning.
const MaxBodyBytes = 1 << 20

// maxDepth bounds multipart nesting, so a hostile message cannot recurse
// without end.
const maxDepth = 16

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
	lr := &headerLimit{r: cr, n: maxHeaderBytes}
	br := bufio.NewReader(lr)
	if _, err := br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return adapters.Item{}, fmt.Errorf("empty message")
		}
		return adapters.Item{}, err
	}
	th, err := textproto.ReadHeader(br)
	if err != nil {
		return adapters.Item{}, fmt.Errorf("no message header: %v", err)
	}
	lr.n = -1
	h := mail.Header{Header: message.Header{Header: th}}
	if h.Len() == 0 {
		return adapters.Item{}, fmt.Errorf("no message header")
	}
	it := adapters.Item{Kind: adapters.KindMessage}
	readHeaders(h, &it)

	w := &walker{}
	w.entity(h.Header, br, 0, "")
	it.Body, it.Attachments = w.text(), w.attachments
	it.Warnings = append(it.Warnings, w.warnings...)
	if _, err := io.Copy(io.Discard, br); err != nil {
		return adapters.Item{}, err
	}
	if it.Key == "" {
		it.Key = SyntheticKey(it.Date, it.From, it.Subject, cr.n)
	}
	return it, nil
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

// maxHeaderBytes bounds the header block, as go-message does, so a
// message that is all header cannot take the heap.
const maxHeaderBytes = 1 << 20

// headerLimit fails a read once more than n bytes were read, while n is
// not negative: set n to -1 once the header is read.
type headerLimit struct {
	r io.Reader
	n int64
}

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.r.Read(p)
	}
	if l.n == 0 {
		return 0, fmt.Errorf("message header larger than %d bytes", maxHeaderBytes)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
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

	subject, err := h.Subject()
	if err != nil {
		subject = h.Get("Subject")
		warn("Subject: cannot decode (%v); kept as written", err)
	}
	it.Subject = legacyText(subject, "Subject", warn)

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
	} else if d, err := h.Date(); err == nil {
		it.Date = d.UTC()
	} else if d, ok := lenientDate(h.Get("Date")); ok {
		it.Date = d.UTC()
	} else {
		warn("Date: cannot read %q", clip(h.Get("Date")))
	}
	it.Raster.Start = it.Date

	id, err := h.MessageID()
	if err != nil || id == "" {
		id = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	if id = strings.TrimSpace(id); id != "" {
		it.Key = "mid:" + strings.ToValidUTF8(id, "\uFFFD")
	}
}

// lenientDate tries the date layouts seen in the wild that net/mail refuses.
func lenientDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
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
