package hostile

import (
	"fmt"
	"strings"
	"time"
)

// The calendar cases too big or too repetitive to commit. Each is built on
// demand, so the corpus costs memory only while its case runs.
func init() {
	generated = append(generated,
		hostileCase{"gen-description-1MB-folded.ics", func() []byte { return foldedValueCase("description-1mb", "DESCRIPTION", 1<<20) }},
		hostileCase{"gen-description-5MB-folded.ics", func() []byte { return foldedValueCase("description-5mb", "DESCRIPTION", 5<<20) }},
		hostileCase{"gen-description-20MB-folded.ics", func() []byte { return foldedValueCase("description-20mb", "DESCRIPTION", 20<<20) }},
		hostileCase{"gen-attach-base64-8MB.ics", func() []byte {
			return foldedValueCase("attach-8mb", "ATTACH;FMTTYPE=application/pdf;ENCODING=BASE64;VALUE=BINARY", 8<<20)
		}},
		hostileCase{"gen-description-2MB-unfolded-line.ics", func() []byte { return longLineCase("long-line", "DESCRIPTION", 2<<20) }},
		hostileCase{"gen-tzid-100KB.ics", tzid100KB},
		hostileCase{"gen-uid-100KB.ics", func() []byte {
			return []byte(calendar("a UID of 100 KB", event(strings.Repeat("u", 100<<10), "SUMMARY:huge UID")))
		}},
		hostileCase{"gen-deep-nesting-10000.ics", deepNesting},
		hostileCase{"gen-thousands-of-properties.ics", func() []byte {
			var props []string
			for i := 0; i < 20000; i++ {
				props = append(props, fmt.Sprintf("X-PROP-%d:value %d", i, i))
			}
			return []byte(calendar("twenty thousand X- properties", event("many-props@gwsync.test", props...)))
		}},
		hostileCase{"gen-thousands-of-attendees.ics", func() []byte {
			var props []string
			for i := 0; i < 10000; i++ {
				props = append(props, fmt.Sprintf("ATTENDEE;CN=Person %d;PARTSTAT=NEEDS-ACTION:mailto:p%d@example.com", i, i))
			}
			return []byte(calendar("ten thousand attendees", event("many-attendees@gwsync.test", props...)))
		}},
		hostileCase{"gen-exdate-10000.ics", exdates10000},
		hostileCase{"gen-master-with-3000-overrides.ics", manyOverrides},
		hostileCase{"gen-vtimezone-20000-rdates.ics", vtimezoneRDates},
		hostileCase{"gen-vtimezone-2000-observances.ics", vtimezoneObservances},
		hostileCase{"gen-events-5000-in-one-file.ics", func() []byte {
			var b strings.Builder
			for i := 0; i < 5000; i++ {
				b.WriteString(event(fmt.Sprintf("bulk-%d@gwsync.test", i), fmt.Sprintf("SUMMARY:bulk %d", i)))
			}
			return []byte(calendar("five thousand events in one file", b.String()))
		}},
	)
}

// calendar wraps components in a VCALENDAR whose X-COMMENT says what the
// case tries.
func calendar(comment, body string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gwsync//hostile corpus//EN\r\nX-COMMENT:" + comment + "\r\n" + body + "END:VCALENDAR\r\n"
}

// event is a VEVENT on 16 March 2027 with extra properties.
func event(uid string, props ...string) string {
	return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270316T090000Z\r\nDTEND:20270316T100000Z\r\n" +
		strings.Join(append(props, ""), "\r\n") + "END:VEVENT\r\n"
}

// foldedValueCase is an event whose property carries size bytes, folded at
// 75 octets as Radicale re-folds long lines.
func foldedValueCase(uid, prop string, size int) []byte {
	line := prop + ":" + strings.Repeat("QUJDREVGR0g=", size/12+1)[:size]
	var b strings.Builder
	b.Grow(size + size/37 + 1024)
	for len(line) > 75 {
		b.WriteString(line[:75])
		b.WriteString("\r\n ")
		line = line[75:]
	}
	b.WriteString(line)
	return []byte(calendar(fmt.Sprintf("%s of %d bytes folded at 75 octets", prop, size), event(uid+"@gwsync.test", "SUMMARY:large value", b.String())))
}

// longLineCase is one unfolded line of size bytes.
func longLineCase(uid, prop string, size int) []byte {
	return []byte(calendar("one unfolded line of "+fmt.Sprint(size)+" bytes", event(uid+"@gwsync.test", prop+":"+strings.Repeat("x", size))))
}

func tzid100KB() []byte {
	tzid := strings.Repeat("(UTC+01:00) Amsterdam, Berlin ", 100<<10/30)
	vtz := "BEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" +
		"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	ev := "BEGIN:VEVENT\r\nUID:tzid-100kb@gwsync.test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=\"" + tzid + "\":20270316T090000\r\n" +
		"DTEND;TZID=" + tzid + ":20270316T100000\r\nSUMMARY:a TZID of 100 KB\r\nEND:VEVENT\r\n"
	return []byte(calendar("a TZID of 100 KB, quoted and not", vtz+ev))
}

func deepNesting() []byte {
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		b.WriteString("BEGIN:X-DEEP\r\n")
	}
	for i := 0; i < 10000; i++ {
		b.WriteString("END:X-DEEP\r\n")
	}
	return []byte(calendar("ten thousand nested components around an event", b.String()[:len(b.String())/2]+event("deep@gwsync.test", "SUMMARY:deep")+b.String()[len(b.String())/2:]))
}

func exdates10000() []byte {
	var props []string
	for i := 0; i < 10000; i++ {
		props = append(props, "EXDATE:"+time2027(i*3600))
	}
	props = append(props, "RRULE:FREQ=HOURLY;COUNT=20000", "SUMMARY:ten thousand EXDATEs")
	return []byte(calendar("a VEVENT with 10,000 EXDATEs", event("exdates@gwsync.test", props...)))
}

func manyOverrides() []byte {
	b := event("overrides@gwsync.test", "RRULE:FREQ=HOURLY;COUNT=5000", "SUMMARY:master")
	for i := 1; i <= 3000; i++ {
		b += "BEGIN:VEVENT\r\nUID:overrides@gwsync.test\r\nDTSTAMP:20270101T000000Z\r\nRECURRENCE-ID:" + time2027(i*3600+9*3600) +
			"\r\nDTSTART:" + time2027(i*3600+9*3600+1800) + "\r\nDTEND:" + time2027(i*3600+9*3600+3600) + "\r\nSUMMARY:moved " + fmt.Sprint(i) + "\r\nEND:VEVENT\r\n"
	}
	return []byte(calendar("a master with 3000 overrides", b))
}

func vtimezoneRDates() []byte {
	var rdates []string
	for i := 0; i < 20000; i++ {
		rdates = append(rdates, fmt.Sprintf("%04d0301T020000", 1000+i%8000))
	}
	vtz := "BEGIN:VTIMEZONE\r\nTZID:Many RDATEs\r\nBEGIN:DAYLIGHT\r\nDTSTART:10000301T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRDATE:" +
		strings.Join(rdates, ",") + "\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
	ev := "BEGIN:VEVENT\r\nUID:vtz-rdates@gwsync.test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Many RDATEs:20270316T090000\r\nSUMMARY:zone with 20000 RDATEs\r\nEND:VEVENT\r\n"
	return []byte(calendar("a VTIMEZONE with 20,000 RDATEs", vtz+ev))
}

func vtimezoneObservances() []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Many Observances\r\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "BEGIN:DAYLIGHT\r\nDTSTART:%04d0301T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=SECONDLY\r\nEND:DAYLIGHT\r\n", 1601+i%400)
	}
	b.WriteString("END:VTIMEZONE\r\n")
	ev := "BEGIN:VEVENT\r\nUID:vtz-observances@gwsync.test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Many Observances:20270316T090000\r\nSUMMARY:zone with 2000 observances\r\nEND:VEVENT\r\n"
	return []byte(calendar("a VTIMEZONE with 2000 secondly observances", b.String()+ev))
}

// time2027 is 1 January 2027 plus secs, in UTC basic format.
func time2027(secs int) string {
	return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(secs) * time.Second).Format("20060102T150405Z")
}
