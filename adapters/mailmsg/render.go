package mailmsg

import (
	"bytes"
	"mime"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Render writes a simple RFC 5322 message for an item: the headers Parse
// reads (Message-ID from a "mid:" key, Date, From, To, Cc, Subject encoded
// per RFC 2047 when not ASCII) and a UTF-8 text/plain body. Attachments
// are not written. Tests and fixtures use it to make messages that Parse
// must read back to the same item.
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
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(it.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.Bytes()
}
