package mailmsg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"

	"github.com/gwsync/gwsync/adapters"
)

// walker collects the body text and attachment list of a message while
// streaming through its parts. It walks the raw (still transfer-encoded)
// parts itself and decodes only the text it keeps: an attachment is
// counted, never decoded (see encodedSize), which is most of the bytes of
// a typical mailbox.
//
// The body is the part Python's email package chooses with
// get_body(("plain", "html")), the reference the differential test
// checks: the first text/plain part that may be a body (not
// Content-Disposition: attachment; in a multipart/related only its root),
// else the first such text/html part. A file name alone does not make a
// text part an attachment. Other text parts are not added to the body: a
// named one is listed as an attachment, an unnamed inline one (a
// signature, a second alternative) is left out.
type walker struct {
	plain, html bytes.Buffer
	havePlain   bool // plain holds the first plain candidate
	haveHTML    bool // html holds the first html candidate
	htmlCharset bool // its Content-Type named a charset
	truncated   bool
	attachments []adapters.Attachment
	warnings    []string
	parts       int
}

func (w *walker) warn(format string, args ...any) {
	w.warnings = append(w.warnings, fmt.Sprintf(format, args...))
}

// entityPlace is where an entity sits: its IMAP section path, whether it
// may be the body, and the media type it has without a Content-Type
// (message/rfc822 in a multipart/digest, RFC 2046 5.1.5).
type entityPlace struct {
	path        string
	mayBeBody   bool
	defaultType string
}

// entity handles one entity, given its header and its raw body:
// recursing into multiparts, keeping the body, counting attachments.
func (w *walker) entity(h message.Header, raw io.Reader, depth int, at entityPlace) {
	w.parts++
	label := fmt.Sprintf("part %d", w.parts)
	mediaType, params := w.contentType(h, label, at.defaultType)

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
		w.multipart(raw, mediaType, params, depth, label, at)
		return
	}

	disp, dparams, _ := h.ContentDisposition()
	if raw := h.Get("Content-Disposition"); strings.Contains(raw, "*") {
		if ext := extendedParams(raw); ext["filename"] != "" {
			dparams = map[string]string{"filename": ext["filename"]}
		}
	}
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
	isAttachment := strings.EqualFold(strings.TrimSpace(disp), "attachment")
	if at.mayBeBody && !isAttachment {
		switch {
		case mediaType == "text/plain" && !w.havePlain:
			w.havePlain = true
			w.readBody(h, raw, &w.plain, label)
			return
		case mediaType == "text/html" && !w.haveHTML && (!w.havePlain || w.plainBlank()):
			// Kept while no plain body has text: an empty plain
			// alternative (RFC 2046 5.1.4: each alternative is the
			// same content) does not win over a full HTML one.
			w.haveHTML = true
			w.htmlCharset = params["charset"] != ""
			w.readBody(h, raw, &w.html, label)
			return
		}
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if isAttachment || name != "" || !isText {
		if mediaType == "message/rfc822" && name == "" {
			name = attachedMessageName
		}
		w.attachment(h, raw, name, mediaType, label, section(at.path))
	}
	// An unnamed inline text part that is not the body is left out.
}

// contentType is the entity's media type (lower case) and parameters,
// with RFC 2231 parameters in any charset and the defaults of RFC 2045
// 5.2: no or an unreadable Content-Type is text/plain (or the digest's
// message/rfc822), and a type without subtype ("text") is text/plain.
func (w *walker) contentType(h message.Header, label, defaultType string) (string, map[string]string) {
	raw := h.Get("Content-Type")
	if strings.TrimSpace(raw) == "" && defaultType != "" {
		return defaultType, map[string]string{}
	}
	mediaType, params, err := h.ContentType()
	if err != nil {
		w.warn("%s: bad Content-Type %q, read as text/plain", label, clip(raw))
		return "text/plain", map[string]string{}
	}
	mediaType = strings.ToLower(mediaType)
	if strings.Contains(raw, "*") {
		for k, v := range extendedParams(raw) {
			if v != "" {
				params[k] = v
			}
		}
	}
	if raw != "" && !strings.Contains(mediaType, "/") {
		w.warn("%s: Content-Type %q has no subtype, read as text/plain", label, clip(mediaType))
		mediaType = "text/plain"
	}
	return mediaType, params
}

// readBody decodes a body candidate (transfer encoding, then charset,
// both by go-message) into buf.
func (w *walker) readBody(h message.Header, raw io.Reader, buf *bytes.Buffer, label string) {
	e, err := message.New(h, raw)
	if err != nil {
		w.warn("%s: %v; read undecoded", label, err)
	}
	w.readText(e.Body, buf, label)
}

func (w *walker) plainBlank() bool { return len(bytes.TrimSpace(w.plain.Bytes())) == 0 }

// multipart walks the parts of a multipart body. A broken boundary ends
// the walk with a warning: parts before it are kept. Each part's header
// (with the lines before its boundary) is read within maxPartHeaderBytes,
// and no more than maxParts parts are read in all.
func (w *walker) multipart(raw io.Reader, mediaType string, params map[string]string, depth int, label string, at entityPlace) {
	guard := &partHeaderGuard{r: raw, n: -1}
	mr := textproto.NewMultipartReader(guard, params["boundary"])
	related := mediaType == "multipart/related"
	start := strings.Trim(strings.TrimSpace(params["start"]), "<>")
	childDefault := ""
	if mediaType == "multipart/digest" {
		childDefault = "message/rfc822"
	}
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
		ph := message.Header{Header: p.Header}
		child := entityPlace{path: childPath(at.path, n), mayBeBody: at.mayBeBody, defaultType: childDefault}
		if related {
			// Only the root of a multipart/related (RFC 2387: the start
			// part, else the first) can be the body; the rest is what
			// it shows.
			if start != "" {
				child.mayBeBody = at.mayBeBody && strings.Trim(strings.TrimSpace(ph.Get("Content-Id")), "<>") == start
			} else {
				child.mayBeBody = at.mayBeBody && n == 1
			}
		}
		w.entity(ph, p, depth+1, child)
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
	if w.plainBlank() && w.haveHTML {
		html := w.html.Bytes()
		if !w.htmlCharset && !utf8.Valid(html) {
			html = w.metaCharset(html)
		}
		s = HTMLToText(string(html))
	} else {
		s = w.plain.String()
	}
	if !utf8.ValidString(s) {
		w.warn("body: invalid bytes replaced")
		s = replaceInvalid(s)
	}
	if strings.Contains(s, "\r") {
		// CRLF, and a CR alone as old Macs and broken gateways end
		// lines, are line breaks.
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if clean, changed := withoutControls(s, "\t\n"); changed {
		w.warn("body: control characters removed")
		s = clean
	}
	return strings.TrimSpace(s)
}

// attachedMessageName names a forwarded message (message/rfc822) that
// carries no file name of its own.
const attachedMessageName = "attached-message.eml"

// replaceInvalid replaces each maximal ill-formed subsequence with one
// U+FFFD, as the Unicode standard (3.9, "U+FFFD substitution of maximal
// subparts"), Python and browsers do, so a reader sees how much was lost
// (strings.ToValidUTF8 makes one of a whole run).
func replaceInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		b.WriteRune(utf8.RuneError)
		i += maximalSubpart(s[i:])
	}
	return b.String()
}

// maximalSubpart is the length of the ill-formed sequence at the start of
// s: a lead byte and the continuation bytes that could still have
// completed it.
func maximalSubpart(s string) int {
	lead := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead >= 0xE0 && lead <= 0xEF:
		need = 2
		if lead == 0xE0 {
			lo = 0xA0
		} else if lead == 0xED {
			hi = 0x9F
		}
	case lead >= 0xF0 && lead <= 0xF4:
		need = 3
		if lead == 0xF0 {
			lo = 0x90
		} else if lead == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for ; n <= need && n < len(s); n++ {
		c := s[n]
		if c < lo || c > hi {
			break
		}
		lo, hi = 0x80, 0xBF
	}
	return n
}

// metaCharsetPattern finds <meta charset=X> and <meta http-equiv=...
// content="...; charset=X"> in the first bytes of a document.
var metaCharsetPattern = regexp.MustCompile(`(?i)<meta[^>]*?charset\s*=\s*["']?([a-z0-9_.:-]+)`)

// metaCharset decodes an HTML body whose Content-Type names no charset
// with the one its <meta> element names, looked for in the first 1024
// bytes as the HTML standard's prescan does; without one, or with one
// that does not decode, the bytes stay as they are.
func (w *walker) metaCharset(html []byte) []byte {
	head := html[:min(len(html), 1024)]
	m := metaCharsetPattern.FindSubmatch(head)
	if m == nil {
		return html
	}
	r, err := charset.Reader(string(m[1]), bytes.NewReader(html))
	if err != nil {
		return html
	}
	dec, err := io.ReadAll(io.LimitReader(r, int64(4*len(html)+16)))
	if err != nil {
		return html
	}
	w.warn("HTML body: charset %s taken from its <meta> element", m[1])
	return dec
}
