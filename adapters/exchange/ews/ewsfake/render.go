package ewsfake

import (
	"strings"
	"time"
)

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func mailboxXML(addr string) string {
	return `<t:Mailbox><t:Name>` + esc(addr) + `</t:Name><t:EmailAddress>` + esc(addr) + `</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>`
}

func el(name, value string) string { return `<t:` + name + `>` + esc(value) + `</t:` + name + `>` }

// render writes an item as GetItem returns it with AllProperties.
func render(it *Item) string {
	if it.Raw != "" {
		return it.Raw
	}
	var b strings.Builder
	b.WriteString(`<t:` + it.Class + `><t:ItemId Id="` + esc(it.ID) + `" ChangeKey="` + esc(it.ChangeKey) + `"/>`)
	b.WriteString(el("Subject", it.Subject))
	bt := it.BodyType
	if bt == "" {
		bt = "Text"
	}
	b.WriteString(`<t:Body BodyType="` + bt + `" IsTruncated="false">` + esc(it.Body) + `</t:Body>`)
	switch it.Class {
	case "Message":
		b.WriteString(el("DateTimeReceived", stamp(it.Sent.Add(time.Minute))) + el("HasAttachments", "false"))
		b.WriteString(el("DateTimeSent", stamp(it.Sent)) + el("LastModifiedTime", stamp(it.Sent.Add(time.Hour))))
		b.WriteString(`<t:From>` + mailboxXML(it.From) + `</t:From>`)
		for _, l := range []struct {
			name string
			list []string
		}{{"ToRecipients", it.To}, {"CcRecipients", it.Cc}} {
			if len(l.list) == 0 {
				continue
			}
			b.WriteString(`<t:` + l.name + `>`)
			for _, a := range l.list {
				b.WriteString(mailboxXML(a))
			}
			b.WriteString(`</t:` + l.name + `>`)
		}
		if it.InternetMessageID != "" {
			b.WriteString(el("InternetMessageId", "<"+it.InternetMessageID+">"))
		}
	case "CalendarItem":
		if it.ActivityID != "" {
			b.WriteString(`<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="gwsyncActivityId" PropertyType="String"/>` +
				el("Value", it.ActivityID) + `</t:ExtendedProperty>`)
		}
		b.WriteString(el("UID", it.UID) + el("Start", stamp(it.Start)) + el("End", stamp(it.End)))
		if it.Private {
			b.WriteString(el("Sensitivity", "Private"))
		}
		b.WriteString(el("IsAllDayEvent", boolText(it.AllDay)) + el("LegacyFreeBusyStatus", it.FreeBusy))
		b.WriteString(el("Location", it.Location) + el("IsCancelled", boolText(it.Cancelled)) + el("CalendarItemType", "Single"))
		if it.Organizer != "" {
			b.WriteString(`<t:Organizer>` + mailboxXML(it.Organizer) + `</t:Organizer>`)
		}
		if len(it.Attendees) > 0 {
			b.WriteString(`<t:RequiredAttendees>`)
			for _, a := range it.Attendees {
				b.WriteString(`<t:Attendee>` + mailboxXML(a) + `<t:ResponseType>Unknown</t:ResponseType></t:Attendee>`)
			}
			b.WriteString(`</t:RequiredAttendees>`)
		}
		tz := it.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		b.WriteString(`<t:StartTimeZone Id="` + esc(tz) + `" Name="` + esc(tz) + `"/>`)
	case "Task":
		if !it.Due.IsZero() {
			b.WriteString(el("DueDate", stamp(it.Due)))
		}
		b.WriteString(el("IsComplete", boolText(it.Complete)))
		status := "NotStarted"
		if it.Complete {
			status = "Completed"
		}
		b.WriteString(el("Status", status))
	}
	b.WriteString(`</t:` + it.Class + `>`)
	return b.String()
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}
