package davx

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodeMultistatus decodes a calendar-query answer of 2,000
// events (about 1 MB), the cost the control-character filter adds to.
func BenchmarkDecodeMultistatus(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">`)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, `<d:response><d:href>/cal/%d.ics</d:href><d:propstat><d:prop><d:getetag>"%d"</d:getetag><c:calendar-data>BEGIN:VCALENDAR
BEGIN:VEVENT
UID:%d@bench
DTSTART:20261210T090000Z
DTEND:20261210T100000Z
SUMMARY:Meeting number %d with a customer about the quarterly review
DESCRIPTION:%s
END:VEVENT
END:VCALENDAR</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, i, i, i, i, strings.Repeat("text ", 40))
	}
	sb.WriteString(`</d:multistatus>`)
	body := sb.String()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		n := 0
		if _, err := DecodeMultistatus(strings.NewReader(body), func(Response) error { n++; return nil }); err != nil || n != 2000 {
			b.Fatal(n, err)
		}
	}
}
