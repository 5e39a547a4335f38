package mailmsg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/gwsync/gwsync/adapters"
)

// walker collects the text bodies and attachment list of a message while
// streaming through its parts. It walks the raw (still transfer-encoded)
// parts itself and decodes only the text it keeps: an attachment is
// counted, never decoded (see encodedSize), which is most of the bytes of
// a typical mailbox.
type walker struct {
	plain, html bytes.Buffer
	truncated   bool
	attachments []adapters.Attachment
	warnings    []string
	parts       int
}

func (w *walker) warn(format string, args ...any) {
	w.warnings = append(w.warnings, fmt.Sprintf(format, args...))
}

// entity handles one entity, given its header, its raw body and its IMAP
// section path (see section): recursing into multiparts, keeping text,
// counting attachments.
func (w *walker) entity(h message.Header, raw io.Reader, depth int, path string) {
	w.parts++
	label := fmt.Sprintf("part %d", w.parts)
	mediaType, params, err := h.ContentType()
	if err != nil {
		w.warn("%s: bad Content-Type %q, read as text/plain", label, clip(h.Get("Content-Type")))
		mediaType, params = "text/plain", nil
	}
	mediaType = strings.ToLower(mediaType)

	if strings.HasPrefix(mediaType, "multipart/") && params["boundary"] == "" {
		// Without a boundary no part can be found; its text is still
		// worth more than nothing.
		w.warn("%s: %s without a boundary, read as text/plain", label, mediaType)
		h = h.Copy()
		h.Set("Content-Type", "text/plain")
		mediaType, params = "text/plain", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			w.warn("%s: multipart nested deeper than %d levels, not read", label, maxDepth)
			return
		}
		// RFC 2045 6.4 forbids a transfer encoding on a multipart; like
		// go-message, one found in the wild is ignored.
		w.multipart(raw, params["boundary"], depth, label, path)
		return
	}

	disp, dparams, _ := h.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if len(name) > maxNameBytes {
		w.warn("%s: file name longer than %d bytes, cut", label, maxNameBytes)
		name = name[:maxNameBytes]
	}
	if name != "" {
		if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
			name = dec
		}
		name = strings.ToValidUTF8(name, "\uFFFD")
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if strings.EqualFold(disp, "attachment") || name != "" || !isText {
		if mediaType == "message/rfc822" && name == "" {
			name = "attached-message.eml"
		}
		w.attachment(h, raw, name, mediaType, label, section(path))
		return
	}
	// Text is decoded (transfer encoding, then charset) by go-message.
	e, err := message.New(h, raw)
	if err != nil {
		w.warn("%s: %v; read undecoded", label, err)
	}
	buf := &w.plain
	if mediaType == "text/html" {
		buf = &w.html
	}
	if buf.Len() > 0 {
		buf.WriteString("\n")
	}
	w.readText(e.Body, buf, label)
}

// multipart walks the parts of a multipart body. A broken boundary ends
// the walk with a warning: parts before it are kept. Each part's header
// (with the lines before its boundary) is read within maxPartHeaderBytes,
// and no more than maxParts parts are read in all.
func (w *walker) multipart(raw io.Reader, boundary string, depth int, label, path string) {
	guard := &partHeaderGuard{r: raw, n: -1}
	mr := textproto.NewMultipartReader(guard, boundary)
	var prev io.Reader
	for n := 1; ; n++ {
		if prev != nil {
			// What the part left unread is its body: unbounded.
			io.Copy(io.Discard, prev)
		}
		if w.parts >= maxParts {
			w.warn("more than %d MIME parts: the rest of the message was not read", maxParts)
			return
		}
		guard.n = maxPartHeaderBytes
		p, err := mr.NextPart()
		guard.n = -1
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			w.warn("%s: multipart structure broken (%v); the rest of the message was not read", label, err)
			return
		}
		prev = p
		w.entity(message.Header{Header: p.Header}, p, depth+1, childPath(path, n))
	}
}

// partHeaderGuard fails a read once more than n bytes were read, while n
// is not negative: the multipart walker arms it for the reading of one
// part header (the multipart reader's read-ahead of a few KiB counts
// too, which the bound allows for).
type partHeaderGuard struct {
	r io.Reader
	n int64
}

func (g *partHeaderGuard) Read(p []byte) (int, error) {
	if g.n < 0 {
		return g.r.Read(p)
	}
	if g.n == 0 {
		return 0, fmt.Errorf("part header larger than %d bytes", maxPartHeaderBytes)
	}
	if int64(len(p)) > g.n {
		p = p[:g.n]
	}
	n, err := g.r.Read(p)
	g.n -= int64(n)
	return n, err
}

// attachment records an attachment with its decoded size, counted from the
// encoded stream without decoding it (see encodedSize), and its section.
// An attachment whose encoding is broken gets no Part: its content could
// not be decoded later either.
func (w *walker) attachment(h message.Header, raw io.Reader, name, mediaType, label, part string) {
	n, err := encodedSize(h.Get("Content-Transfer-Encoding"), raw)
	if err != nil {
		w.warn("%s (attachment %q): %v; size counted up to the error", label, name, err)
		part = ""
	}
	w.attachments = append(w.attachments, adapters.Attachment{Name: name, Type: mediaType, Size: n, Part: part})
}

// Section paths follow IMAP's body section numbering (RFC 3501 6.4.5):
// the parts of a multipart are numbered from 1, a part of a nested
// multipart is its parent's path, ".", and its number; a message/rfc822
// part is one part (its content is the whole encapsulated message). The
// walker's path of the top-level entity is "": a message that is not
// multipart has its body as part "1".

// childPath is the section path of the n-th part of the multipart at path.
func childPath(path string, n int) string {
	if path == "" {
		return strconv.Itoa(n)
	}
	return path + "." + strconv.Itoa(n)
}

// section is the IMAP section of a non-multipart entity at path.
func section(path string) string {
	if path == "" {
		return "1"
	}
	return path
}

// readText appends at most what is left of MaxBodyBytes of r to buf. It
// reads straight into buf: no copy buffer per part. The rest of a longer
// text is not decoded: the caller drops its raw bytes.
func (w *walker) readText(r io.Reader, buf *bytes.Buffer, label string) {
	room := int64(MaxBodyBytes - buf.Len())
	if room < 0 {
		room = 0
	}
	n, err := buf.ReadFrom(io.LimitReader(r, room))
	if err != nil {
		w.warn("%s: %v; text cut at that point", label, err)
		return
	}
	if n == room && !w.truncated {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k > 0 {
			w.truncated = true
			w.warn("body longer than %d bytes: truncated", MaxBodyBytes)
		}
	}
}

// text returns the body as plain text: the text/plain part when it has
// content, else the HTML part made readable.
func (w *walker) text() string {
	var s string
	if len(bytes.TrimSpace(w.plain.Bytes())) == 0 && w.html.Len() > 0 {
		s = HTMLToText(w.html.String())
	} else {
		s = w.plain.String()
	}
	if !utf8.ValidString(s) {
		w.warn("body: invalid bytes replaced")
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	if clean, changed := withoutControls(s, "\t\n"); changed {
		w.warn("body: control characters removed")
		s = clean
	}
	return strings.TrimSpace(s)
}
