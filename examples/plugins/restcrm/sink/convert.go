package restcrm

import (
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func timesOf(r adapters.Raster) apiTimes {
	return apiTimes{Start: timePtr(r.Start), End: timePtr(r.End), Due: timePtr(r.Due), AllDay: r.AllDay, TimeZone: r.TimeZone}
}

// toAPI is the JSON an Upsert sends for a gwsync activity.
func toAPI(a adapters.Activity) apiActivity {
	t := timesOf(a.Raster)
	out := apiActivity{
		Type: string(a.Type), Subject: a.Subject, Body: a.Body,
		Start: t.Start, End: t.End, Due: t.Due, AllDay: t.AllDay, TimeZone: t.TimeZone,
		Busy: string(a.Busy), Location: a.Location, Owners: a.Owners, Contacts: []apiContactRef{},
		Key: a.Key, Source: a.Source, SourceItem: a.SourceItem, Modified: timePtr(a.Modified),
	}
	if out.Owners == nil {
		out.Owners = []string{}
	}
	for _, c := range a.Contacts {
		out.Contacts = append(out.Contacts, apiContactRef{Email: c})
	}
	for _, att := range a.Attachments {
		out.Attachments = append(out.Attachments, apiAttachment{Name: att.Name, Type: att.Type, Size: att.Size, Data: att.Data})
	}
	return out
}

// fromAPI is the gwsync activity of the CRM's JSON.
func fromAPI(a apiActivity) adapters.Activity {
	out := adapters.Activity{
		ID: a.ID, Version: a.Version, Type: adapters.ActivityType(a.Type), Subject: a.Subject, Body: a.Body,
		Raster: adapters.Raster{Start: timeOf(a.Start), End: timeOf(a.End), Due: timeOf(a.Due), AllDay: a.AllDay, TimeZone: a.TimeZone},
		Busy:   adapters.BusyStatus(a.Busy), Location: a.Location, Owners: a.Owners,
		Key: a.Key, Source: a.Source, SourceItem: a.SourceItem, Modified: timeOf(a.Modified),
	}
	for _, c := range a.Contacts {
		out.Contacts = append(out.Contacts, c.Email)
	}
	for _, att := range a.Attachments {
		out.Attachments = append(out.Attachments, adapters.Attachment{Name: att.Name, Type: att.Type, Size: att.Size, Stored: att.Stored})
	}
	return out
}
