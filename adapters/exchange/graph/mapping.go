package graph

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Item ids name the resource, so write-back knows the URL: "message:<id>",
// "event:<id>", "task:<list id>|<task id>".
const (
	messagePrefix = "message:"
	eventPrefix   = "event:"
	taskPrefix    = "task:"
)

func taskItemID(list, task string) string { return taskPrefix + list + "|" + task }

// parseInstant reads Graph's UTC timestamps (sentDateTime,
// lastModifiedDateTime); "" is the zero time.
func parseInstant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

// messageItem maps a message. Only an entry without an id is unreadable;
// anything else missing is imported as well as possible and noted.
func messageItem(m message) adapters.Item {
	if m.ID == "" {
		return xchg.Unreadable("message:(no id)", adapters.KindMessage, "message without id")
	}
	it := adapters.Item{ID: messagePrefix + m.ID, Kind: adapters.KindMessage, Version: m.ETag, Subject: m.Subject}
	warn := func(f string, a ...any) { it.Warnings = append(it.Warnings, fmt.Sprintf(f, a...)) }
	from := m.From
	if from == nil {
		from = m.Sender
	}
	if from != nil {
		it.From = strings.ToLower(from.EmailAddress.Address)
	} else {
		warn("no sender")
	}
	it.To = addresses(m.To)
	it.Cc = addresses(m.Cc)
	date, err := parseInstant(m.SentDateTime)
	if err != nil || date.IsZero() {
		if date, err = parseInstant(m.ReceivedDateTime); err != nil || date.IsZero() {
			warn("no sent or received date")
		}
	}
	// A message's raster is its date, as mailmsg sets it for every
	// other mail source.
	it.Date, it.Raster.Start = date, date
	it.Modified, _ = parseInstant(m.LastModified)
	if m.Body != nil {
		var w []string
		it.Body, w = xchg.Body(m.Body.Content, m.Body.ContentType)
		it.Warnings = append(it.Warnings, w...)
	}
	if m.HasAttachments {
		warn("attachments are not listed by the Graph adapter")
	}
	if m.InternetMessageID == "" {
		warn("no internetMessageId; keyed by date, sender, subject and body length")
	}
	it.Key = xchg.MailKey(m.InternetMessageID, it.Date, it.From, it.Subject, int64(len(it.Body)))
	return it
}

func addresses(rs []recipient) []string {
	var list []string
	for _, r := range rs {
		list = append(list, r.EmailAddress.Address)
	}
	return xchg.Addresses(list, "")
}

// eventItem maps an event. It is unreadable without an id or a start; an
// unknown time zone is read as UTC and an unknown showAs as unknown busy
// status, each with a warning.
func eventItem(e event) adapters.Item {
	if e.ID == "" {
		return xchg.Unreadable("event:(no id)", adapters.KindEvent, "event without id")
	}
	id := eventPrefix + e.ID
	it := adapters.Item{ID: id, Kind: adapters.KindEvent, Version: e.ETag, Subject: e.Subject, Cancelled: e.IsCancelled,
		Private: xchg.Private(e.Sensitivity)}
	warn := func(f string, a ...any) { it.Warnings = append(it.Warnings, fmt.Sprintf(f, a...)) }
	if e.Start == nil || e.Start.DateTime == "" {
		return xchg.Unreadable(id, adapters.KindEvent, "event %q has no start", e.Subject)
	}
	start, w, err := xchg.WallTime(e.Start.DateTime, e.Start.TimeZone)
	if err != nil {
		return xchg.Unreadable(id, adapters.KindEvent, "start: %v", err)
	}
	if w != "" {
		warn("start: %s", w)
	}
	end := start
	if e.End != nil && e.End.DateTime != "" {
		if end, w, err = xchg.WallTime(e.End.DateTime, e.End.TimeZone); err != nil {
			return xchg.Unreadable(id, adapters.KindEvent, "end: %v", err)
		} else if w != "" {
			warn("end: %s", w)
		}
	} else {
		warn("no end; taken as the start")
	}
	_, iana, ok := xchg.Zone(e.OriginalStartTimeZone)
	if !ok {
		warn("unknown originalStartTimeZone %q", e.OriginalStartTimeZone)
	}
	if e.IsAllDay {
		// Graph reports all-day events at midnight in start.timeZone.
		loc, _, _ := xchg.Zone(e.Start.TimeZone)
		it.Raster = adapters.Raster{Start: xchg.AllDayDate(start, loc), End: xchg.AllDayDate(end, loc), AllDay: true}
	} else {
		it.Raster = adapters.Raster{Start: start.UTC(), End: end.UTC(), TimeZone: iana}
	}
	busy, known := xchg.ShowAs(e.ShowAs)
	if !known {
		warn("unknown showAs %q, busy status left unknown", e.ShowAs)
	}
	it.Busy = busy
	if e.Body != nil {
		var bw []string
		it.Body, bw = xchg.Body(e.Body.Content, e.Body.ContentType)
		it.Warnings = append(it.Warnings, bw...)
	}
	if e.Location != nil {
		it.Location = e.Location.DisplayName
	}
	if e.Organizer != nil {
		it.From = strings.ToLower(e.Organizer.EmailAddress.Address)
	}
	var att []string
	for _, a := range e.Attendees {
		if !strings.EqualFold(a.Type, "resource") {
			att = append(att, a.EmailAddress.Address)
		}
	}
	it.Attendees = xchg.Addresses(att, it.From)
	it.Modified, _ = parseInstant(e.LastModified)
	for _, p := range e.ExtendedProperties {
		if strings.EqualFold(p.ID, activityProperty) {
			it.ExportedFrom = p.Value
		}
	}
	var original time.Time
	if e.Type == "occurrence" || e.Type == "exception" {
		original, _ = parseInstant(e.OriginalStart)
	}
	uid := e.ICalUID
	if uid == "" {
		uid = "exchange-" + e.ID
		warn("no iCalUId; keyed by the Exchange id, so other mailboxes will not match it")
	}
	it.Key = xchg.EventKey(uid, original)
	return it
}

// taskItem maps a To Do task of list.
func taskItem(list string, t todoTask) adapters.Item {
	if t.ID == "" {
		return xchg.Unreadable("task:(no id)", adapters.KindTask, "task without id in list %s", list)
	}
	id := taskItemID(list, t.ID)
	it := adapters.Item{ID: id, Key: xchg.TaskKey(t.ID), Kind: adapters.KindTask, Version: t.ETag,
		Subject: t.Title, Completed: strings.EqualFold(t.Status, "completed")}
	for _, f := range []struct {
		name string
		v    *dateTimeTimeZone
		dst  *time.Time
	}{{"dueDateTime", t.Due, &it.Raster.Due}, {"startDateTime", t.Start, &it.Raster.Start}} {
		if f.v == nil || f.v.DateTime == "" {
			continue
		}
		tm, w, err := xchg.WallTime(f.v.DateTime, f.v.TimeZone)
		if err != nil {
			it.Warnings = append(it.Warnings, fmt.Sprintf("%s: %v; ignored", f.name, err))
			continue
		}
		if w != "" {
			it.Warnings = append(it.Warnings, f.name+": "+w)
		}
		*f.dst = tm.UTC()
	}
	if t.Body != nil {
		var w []string
		it.Body, w = xchg.Body(t.Body.Content, t.Body.ContentType)
		it.Warnings = append(it.Warnings, w...)
	}
	it.Modified, _ = parseInstant(t.LastModified)
	return it
}
