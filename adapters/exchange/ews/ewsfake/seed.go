package ewsfake

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// touch gives an item a new sequence number and ChangeKey.
func (s *Server) touch(it *Item) {
	s.seq++
	it.seq = s.seq
	it.ChangeKey = fmt.Sprintf("DwAAABYAAAA%06d", s.seq)
}

// store adds a new item; called with s.mu held.
func (s *Server) store(it *Item) {
	if it.ID == "" {
		s.nextID++
		it.ID = fmt.Sprintf("AAMkADEx%04d", s.nextID)
	}
	s.touch(it)
	it.created = it.seq
	s.items[it.ID] = it
}

// AddFolder adds a mail folder and returns its id.
func (s *Server) AddFolder(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := fmt.Sprintf("AAMkADFolder%04d", s.nextID)
	s.folders[id] = name
	return id
}

// Add stores an item and returns its id.
func (s *Server) Add(it Item) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := it
	s.store(&c)
	return c.ID
}

var itemIDPattern = regexp.MustCompile(`<t:ItemId Id="([^"]+)"`)

// AddRaw stores a canned XML element (a documented GetItem sample) in a
// folder; its ItemId is read from the sample. class is the element name.
func (s *Server) AddRaw(folder, class, raw string) (string, error) {
	m := itemIDPattern.FindStringSubmatch(raw)
	if m == nil {
		return "", fmt.Errorf("sample without <t:ItemId Id=...>")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &Item{ID: m[1], Class: class, Folder: folder, Raw: raw}
	s.store(it)
	return it.ID, nil
}

// Update changes an item as a user in Outlook would.
func (s *Server) Update(id string, change func(*Item)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.items[id]
	change(it)
	s.touch(it)
}

// Delete removes an item; the next sync reports a Delete.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it := s.items[id]; it != nil {
		it.deleted = true
		s.touch(it)
	}
}

// Get returns a copy of an item.
func (s *Server) Get(id string) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	if !ok || it.deleted {
		return Item{}, false
	}
	return *it, true
}

// windowsNames are the zone names Exchange reports.
var windowsNames = map[string]string{"Europe/Berlin": "W. Europe Standard Time", "Europe/London": "GMT Standard Time"}

var legacyFreeBusy = map[adapters.BusyStatus]string{adapters.BusyFree: "Free", adapters.BusyTentative: "Tentative",
	adapters.BusyBusy: "Busy", adapters.BusyOutOfOffice: "OOF", adapters.BusyWorkingElsewhere: "WorkingElsewhere", adapters.BusyUnknown: "NoData"}

// SeedItems writes gwsync items as EWS items: messages in a folder named
// folder, events in the Calendar (all-day ones at midnight of their zone,
// as Exchange stores them), tasks in Tasks with the key's UID as ItemId.
func (s *Server) SeedItems(folder string, items []adapters.Item) {
	fid := s.AddFolder(folder)
	for _, it := range items {
		switch it.Kind {
		case adapters.KindMessage:
			s.Add(Item{Class: "Message", Folder: fid, Subject: it.Subject, Body: it.Body,
				InternetMessageID: strings.TrimPrefix(it.Key, "mid:"), From: it.From, To: it.To, Cc: it.Cc, Sent: it.Date})
		case adapters.KindEvent:
			tz := windowsNames[it.Raster.TimeZone]
			start, end := it.Raster.Start, it.Raster.End
			if tz == "" {
				tz = "UTC"
			}
			if it.Raster.AllDay {
				loc, _ := time.LoadLocation(map[string]string{"W. Europe Standard Time": "Europe/Berlin", "GMT Standard Time": "Europe/London"}[tz])
				if loc == nil {
					loc = time.UTC
				}
				start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
				end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, loc)
			}
			s.Add(Item{Class: "CalendarItem", Folder: calendarFolder, Subject: it.Subject, Body: it.Body,
				UID: strings.TrimPrefix(it.Key, "ical:"), Start: start, End: end, AllDay: it.Raster.AllDay,
				FreeBusy: legacyFreeBusy[it.Busy], TimeZone: tz, Organizer: it.From, Attendees: it.Attendees,
				Cancelled: it.Cancelled, Location: it.Location, Private: it.Private})
		case adapters.KindTask:
			s.Add(Item{ID: strings.TrimPrefix(it.Key, "ical:"), Class: "Task", Folder: tasksFolder, Subject: it.Subject,
				Body: it.Body, Due: it.Raster.Due, Complete: it.Completed})
		}
	}
}
