package mailmsg

import (
	"bytes"
	"encoding/base64"
	"mime"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Render writes a simple RFC 5322 message for an item: the headers Parse
// reads (Message-ID from a "mid:" key, Date, From, To, Cc, Subject encoded
// per RFC 2047 when not ASCII) and a UTF-8 text/plain body. Attachments
// that carry Data follow as base64 parts of a multipart/mixed (the text
// is part 1, the attachments parts 2, 3, ...); others are not written.
// Tests and fixtures use it to make messages that Parse must read back to
// the same item.
func Render(it adapters.Item) []byte {
	var b bytes.Buffer
	h := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	if id, ok := strings.CutPrefix(it.Key, "mid:"); ok {
		h("Message-ID", "<"+id+">")
	}
	date := it.Date
	if date.IsZero() {
		date = it.Raster.Start
	}
	if !date.IsZero() {
		h("Date", date.Format(time.RFC1123Z))
	}
	h("From", it.From)
	h("To", strings.Join(it.To, ", "))
	h("Cc", strings.Join(it.Cc, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", it.Subject))
	h("MIME-Version", "1.0")
	var files []adapters.Attachment
	for _, a := range it.Attachments {
		if a.Data != nil {
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		writeText(&b, it.Body)
		return b.Bytes()
	}
	const boundary = "gwsync-render-boundary"
	h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n--" + boundary + "\r\n")
	writeText(&b, it.Body)
	for _, a := range files {
		typ := a.Type
		if typ == "" {
			typ = "application/octet-stream"
		}
		name := mime.QEncoding.Encode("utf-8", a.Name)
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString("Content-Type: " + typ + "; name=\"" + name + "\"\r\n")
		b.WriteString("Content-Disposition: attachment; filename=\"" + name + "\"\r\n")
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// writeText writes the header and body of a UTF-8 text/plain entity.
func writeText(b *bytes.Buffer, body string) {
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
}
