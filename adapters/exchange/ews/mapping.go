package ews

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Item ids name the kind, so write-back knows which fields to set:
// "message:<ItemId>", "event:<ItemId>", "task:<ItemId>".
const (
	messagePrefix = "message:"
	eventPrefix   = "event:"
	taskPrefix    = "task:"
)

// activityPropertyName is the PublicStrings named property holding the CRM
// activity id of an exported calendar item.
const activityPropertyName = "gwsyncActivityId"

const activityPropertyURI = `<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="` + activityPropertyName + `" PropertyType="String"/>`

// parseTime reads xs:dateTime as EWS writes it (UTC with "Z", or with an
// offset); "" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Some servers omit the zone for floating values; read as UTC.
		t, err = time.Parse("2006-01-02T15:04:05", s)
	}
	return t.UTC(), err
}

func addresses(ms []mailbox, skip string) []string {
	var list []string
	for _, m := range ms {
		list = append(list, m.Address)
	}
	return xchg.Addresses(list, skip)
}

func messageItem(x item) adapters.Item {
	it := adapters.Item{ID: messagePrefix + x.ItemID.ID, Kind: adapters.KindMessage, Version: x.ItemID.ChangeKey, Subject: x.Subject}
	warn := func(f string, a ...any) { it.Warnings = append(it.Warnings, fmt.Sprintf(f, a...)) }
	from := x.From.Address
	if from == "" {
		from = x.Sender.Address
	}
	if from == "" {
		warn("no sender")
	}
	it.From = strings.ToLower(from)
	it.To, it.Cc = addresses(x.To, ""), addresses(x.Cc, "")
	date, err := parseTime(x.DateTimeSent)
	if err != nil || date.IsZero() {
		if date, err = parseTime(x.DateTimeReceived); err != nil || date.IsZero() {
			warn("no sent or received date")
		}
	}
	// A message's raster is its date, as mailmsg sets it for every
	// other mail source.
	it.Date, it.Raster.Start = date, date
	it.Modified, _ = parseTime(x.LastModified)
	var w []string
	it.Body, w = xchg.Body(x.Body.Text, x.Body.Type)
	it.Warnings = append(it.Warnings, w...)
	if x.HasAttachments {
		warn("attachments are not listed by the EWS adapter")
	}
	if x.InternetMessageID == "" {
		warn("no InternetMessageId; keyed by date, sender, subject and body length")
	}
	it.Key = xchg.MailKey(x.InternetMessageID, it.Date, it.From, it.Subject, int64(len(it.Body)))
	return it
}

func eventItem(x item) adapters.Item {
	id := eventPrefix + x.ItemID.ID
	it := adapters.Item{ID: id, Kind: adapters.KindEvent, Version: x.ItemID.ChangeKey, Subject: x.Subject,
		Cancelled: x.IsCancelled, Location: x.Location, Private: xchg.Private(x.Sensitivity)}
	warn := func(f string, a ...any) { it.Warnings = append(it.Warnings, fmt.Sprintf(f, a...)) }
	start, err := parseTime(x.Start)
	if err != nil || start.IsZero() {
		return xchg.Unreadable(id, adapters.KindEvent, "calendar item %q has no readable Start (%q)", x.Subject, x.Start)
	}
	end, err := parseTime(x.End)
	if err != nil || end.IsZero() {
		warn("no readable End (%q); taken as the start", x.End)
		end = start
	}
	tz := x.StartTimeZoneID
	if tz == "" {
		tz = x.StartTimeZone.ID
	}
	loc, iana, ok := xchg.Zone(tz)
	if !ok {
		warn("unknown time zone %q, read as UTC", tz)
	}
	if x.IsAllDay {
		// EWS reports an all-day item's midnight in its own zone, as UTC.
		it.Raster = adapters.Raster{Start: xchg.AllDayDate(start, loc), End: xchg.AllDayDate(end, loc), AllDay: true}
	} else {
		it.Raster = adapters.Raster{Start: start, End: end, TimeZone: iana}
	}
	busy, known := xchg.LegacyFreeBusy(x.FreeBusy)
	if !known {
		warn("unknown LegacyFreeBusyStatus %q, busy status left unknown", x.FreeBusy)
	}
	it.Busy = busy
	var w []string
	it.Body, w = xchg.Body(x.Body.Text, x.Body.Type)
	it.Warnings = append(it.Warnings, w...)
	it.From = strings.ToLower(x.Organizer.Address)
	it.Attendees = addresses(append(append([]mailbox{}, x.Required...), x.Optional...), it.From)
	it.Modified, _ = parseTime(x.LastModified)
	for _, p := range x.Extended {
		if p.URI.PropertyName == activityPropertyName {
			it.ExportedFrom = p.Value
		}
	}
	var original time.Time
	if x.CalendarItemType == "Occurrence" || x.CalendarItemType == "Exception" {
		original, _ = parseTime(x.OriginalStart)
	}
	uid := x.UID
	if uid == "" {
		uid = "exchange-" + x.ItemID.ID
		warn("no UID; keyed by the Exchange id, so other mailboxes will not match it")
	}
	it.Key = xchg.EventKey(uid, original)
	return it
}

func taskItem(x item) adapters.Item {
	it := adapters.Item{ID: taskPrefix + x.ItemID.ID, Key: xchg.TaskKey(x.ItemID.ID), Kind: adapters.KindTask,
		Version: x.ItemID.ChangeKey, Subject: x.Subject, Completed: x.IsComplete || x.Status == "Completed"}
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"DueDate", x.DueDate, &it.Raster.Due}, {"StartDate", x.StartDate, &it.Raster.Start}} {
		t, err := parseTime(f.v)
		if err != nil {
			it.Warnings = append(it.Warnings, fmt.Sprintf("%s %q unreadable; ignored", f.name, f.v))
			continue
		}
		*f.dst = t
	}
	var w []string
	it.Body, w = xchg.Body(x.Body.Text, x.Body.Type)
	it.Warnings = append(it.Warnings, w...)
	it.Modified, _ = parseTime(x.LastModified)
	return it
}
