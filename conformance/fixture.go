package conformance

import (
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Fixture is the standard data a backend is prepared with: groupware items
// for sources, CRM activities (created "in the CRM", without a Key) for
// sinks. Backends write it in their native format; the suite then matches
// what the adapter reports by Key (items) or by Type and Subject
// (activities), since backends choose their own ids.
type Fixture struct {
	Items      []adapters.Item
	Activities []adapters.Activity
}

// FixtureOwner owns the fixture's activities (a gwsync user name).
const FixtureOwner = "alice"

// StandardFixture returns fresh copies of the standard data: two timed
// events (one with attendees), one all-day event, one task with a due
// time, two messages with Message-IDs (the first with a binary PDF-like
// attachment whose Data is its content, which backends that can store
// attachments write), and two CRM activities. All dates lie in 2026-2027
// and are whole seconds in UTC.
func StandardFixture() Fixture {
	return Fixture{
		Items: []adapters.Item{
			{
				ID: "event-review", Key: "ical:review-2026@gwsync.test", Kind: adapters.KindEvent,
				Raster:   adapters.Raster{Start: at(2026, 3, 10, 9, 0), End: at(2026, 3, 10, 10, 30), TimeZone: "Europe/Berlin"},
				Busy:     adapters.BusyBusy,
				Subject:  "Quarterly review",
				Body:     "Agenda: figures, hiring, the Lisbon office.",
				Location: "Room 4",
				From:     "alice@example.com",
				Attendees: []string{
					"bob@example.com",
					"carol@example.com",
				},
				Modified: at(2026, 2, 20, 12, 0),
			},
			{
				ID: "event-dentist", Key: "ical:dentist-2026@gwsync.test", Kind: adapters.KindEvent,
				Raster:   adapters.Raster{Start: at(2026, 11, 2, 14, 0), End: at(2026, 11, 2, 15, 0)},
				Busy:     adapters.BusyBusy,
				Subject:  "Dentist",
				Modified: at(2026, 10, 1, 8, 0),
			},
			{
				ID: "event-holiday", Key: "ical:holiday-2027@gwsync.test", Kind: adapters.KindEvent,
				Raster:   adapters.Raster{Start: day(2027, 1, 15), End: day(2027, 1, 16), AllDay: true},
				Busy:     adapters.BusyFree,
				Subject:  "Company holiday",
				Modified: at(2026, 12, 1, 9, 0),
			},
			{
				ID: "task-report", Key: "ical:report-2026@gwsync.test", Kind: adapters.KindTask,
				Raster:   adapters.Raster{Due: at(2026, 6, 30, 17, 0)},
				Subject:  "Submit expense report",
				Body:     "Receipts are in the blue folder.",
				Modified: at(2026, 6, 1, 10, 0),
			},
			{
				ID: "msg-contract", Key: "mid:contract-1@mail.example.com", Kind: adapters.KindMessage,
				Subject: "Contract draft",
				Body:    "Hello Alice,\n\nplease find the draft attached.\n\nBob",
				From:    "bob@example.com",
				To:      []string{"alice@example.com"},
				Date:    at(2026, 2, 1, 8, 15),
				Attachments: []adapters.Attachment{{
					Name: FixtureAttachmentName, Type: "application/pdf",
					Size: int64(len(fixtureAttachment())), Data: fixtureAttachment(),
				}},
			},
			{
				ID: "msg-reply", Key: "mid:contract-2@mail.example.com", Kind: adapters.KindMessage,
				Subject: "Re: Contract draft",
				Body:    "Thanks Bob, I will read it tonight.",
				From:    "alice@example.com",
				To:      []string{"bob@example.com"},
				Cc:      []string{"carol@example.com"},
				Date:    at(2026, 2, 1, 9, 40),
			},
		},
		Activities: []adapters.Activity{
			{
				ID: "crm-call", Type: adapters.TypeAppointment, Subject: "Call with supplier",
				Body:   "Discuss delivery dates.",
				Raster: adapters.Raster{Start: at(2026, 4, 1, 10, 0), End: at(2026, 4, 1, 10, 30)},
				Busy:   adapters.BusyBusy, Owners: []string{FixtureOwner},
			},
			{
				ID: "crm-offer", Type: adapters.TypeTask, Subject: "Prepare offer",
				Raster: adapters.Raster{Due: at(2026, 5, 5, 16, 0)},
				Owners: []string{FixtureOwner},
			},
		},
	}
}

// FixtureAttachmentName is the file name of the fixture's attachment.
const FixtureAttachmentName = "contract-draft.pdf"

// fixtureAttachment is 3 KB of PDF-like binary: a header, then every byte
// value, CR and LF included, so that an adapter that mangles line ends or
// high bytes is caught.
func fixtureAttachment() []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for i := 0; len(b) < 3000; i++ {
		b = append(b, byte(i*31+i/256))
	}
	return b
}

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
