package mailmsg

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"

	"github.com/gwsync/gwsync/adapters"
)

// walker collects the text bodies and attachment list of a message while
// streaming through its parts.
type walker struct {
	plain, html strings.Builder
	truncated   bool
	attachments []adapters.Attachment
	warnings    []string
	parts       int
}

func (w *walker) warn(format string, args ...any) {
	w.warnings = append(w.warnings, fmt.Sprintf(format, args...))
}

// entity handles one entity: recursing into multiparts, keeping text,
// counting attachments.
func (w *walker) entity(e *message.Entity, depth int) {
	w.parts++
	label := fmt.Sprintf("part %d", w.parts)
	mediaType, params, err := e.Header.ContentType()
	if err != nil {
		w.warn("%s: bad Content-Type %q, read as text/plain", label, clip(e.Header.Get("Content-Type")))
		mediaType, params = "text/plain", nil
	}
	mediaType = strings.ToLower(mediaType)

	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			w.warn("%s: multipart nested deeper than %d levels, not read", label, maxDepth)
			return
		}
		w.multipart(e, depth, label)
		return
	}

	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
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
		w.attachment(e, name, mediaType, label)
		return
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

// multipart walks the parts of a multipart entity. A broken boundary ends
// the walk with a warning: parts before it are kept.
func (w *walker) multipart(e *message.Entity, depth int, label string) {
	mr := e.MultipartReader()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if p == nil {
			w.warn("%s: multipart structure broken (%v); the rest of the message was not read", label, err)
			return
		}
		if err != nil {
			w.warn("%s: %v; read undecoded", label, err)
		}
		w.entity(p, depth+1)
	}
}

// attachment records an attachment, counting its decoded size by streaming.
func (w *walker) attachment(e *message.Entity, name, mediaType, label string) {
	n, err := io.Copy(io.Discard, e.Body)
	if err != nil {
		w.warn("%s (attachment %q): %v; size counted up to the error", label, name, err)
	}
	w.attachments = append(w.attachments, adapters.Attachment{Name: name, Type: mediaType, Size: n})
}

// readText appends at most what is left of MaxBodyBytes of r to buf and
// discards the rest.
func (w *walker) readText(r io.Reader, buf *strings.Builder, label string) {
	room := int64(MaxBodyBytes - buf.Len())
	if room < 0 {
		room = 0
	}
	var sb strings.Builder
	n, err := io.Copy(&sb, io.LimitReader(r, room))
	if err != nil {
		w.warn("%s: %v; text cut at that point", label, err)
	}
	buf.WriteString(sb.String())
	if n == room {
		if rest, _ := io.Copy(io.Discard, r); rest > 0 && !w.truncated {
			w.truncated = true
			w.warn("body longer than %d bytes: truncated", MaxBodyBytes)
		}
	}
}

// text returns the body as plain text: the text/plain part when it has
// content, else the HTML part made readable.
func (w *walker) text() string {
	s := w.plain.String()
	if strings.TrimSpace(s) == "" && w.html.Len() > 0 {
		s = HTMLToText(w.html.String())
	}
	if !utf8.ValidString(s) {
		w.warn("body: invalid bytes replaced")
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}
