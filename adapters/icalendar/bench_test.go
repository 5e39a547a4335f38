package icalendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// largeEvent returns a calendar with one VEVENT whose property name (with
// its parameters) carries size bytes of value, folded at 75 octets with
// CRLF as Radicale re-folds long lines.
func largeEvent(prop string, size int) []byte {
	value := strings.Repeat("abcdefghij", size/10+1)[:size]
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:large@example.com\r\n")
	b.WriteString("DTSTAMP:20270101T000000Z\r\nDTSTART:20270316T090000Z\r\nDTEND:20270316T100000Z\r\nSUMMARY:large\r\n")
	b.WriteString(fold(prop+":"+value, "\r\n"))
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return []byte(b.String())
}

// BenchmarkParseLarge times Parse of one event with a large folded value:
// the cost of unfolding, which must grow linearly with the size.
func BenchmarkParseLarge(b *testing.B) {
	cases := []struct {
		name string
		prop string
		size int
	}{
		{"description-1MB", "DESCRIPTION", 1 << 20},
		{"description-5MB", "DESCRIPTION", 5 << 20},
		{"description-20MB", "DESCRIPTION", 20 << 20},
		{"attach-base64-8MB", "ATTACH;FMTTYPE=application/octet-stream;ENCODING=BASE64;VALUE=BINARY", 8 << 20},
	}
	for _, c := range cases {
		data := largeEvent(c.prop, c.size)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				items, err := Parse(data, ParseOptions{})
				if err != nil || len(items) != 1 || items[0].Unreadable != "" {
					b.Fatalf("Parse: %v %+v", err, items)
				}
			}
		})
	}
}

// BenchmarkHostileRules parses and expands the hostile corpus's rule
// cases that used to never finish (a VTIMEZONE stepping every second from
// 1601, RRULEs that can never match): now bounded by work.
//
//	go test -run '^$' -bench BenchmarkHostileRules ./adapters/icalendar
func BenchmarkHostileRules(b *testing.B) {
	for _, name := range []string{"vtimezone-secondly-from-1601.ics", "rrule-hourly-never-matches.ics",
		"rrule-secondly-never-matches.ics", "rrule-secondly-until-9999.ics"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hostile", "ics", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(name, ".ics"), func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(data, ParseOptions{Expand: true, Window: decade}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
