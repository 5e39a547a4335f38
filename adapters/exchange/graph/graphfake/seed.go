package graphfake

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// normalize round-trips v through JSON so stored objects hold only
// map[string]any, []any, string, float64 and bool, as decoded requests do.
func normalize(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

// AddFolder adds a top-level mail folder and returns its id.
func (s *Server) AddFolder(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("fld")
	s.folders[id] = name
	return id
}

// AddList adds a To Do list and returns its id.
func (s *Server) AddList(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("lst")
	s.lists[id] = name
	return id
}

// AddMessage stores a message (Graph JSON) in a folder; an object without
// "id" gets one. It returns the id.
func (s *Server) AddMessage(folder string, obj any) string {
	return s.add(s.messages, "msg", folder, obj)
}

// AddEvent stores an event (Graph JSON) and returns its id.
func (s *Server) AddEvent(obj any) string { return s.add(s.events, "evt", "", obj) }

// AddTask stores a To Do task (Graph JSON) in a list and returns its id.
func (s *Server) AddTask(list string, obj any) string { return s.add(s.tasks, "tsk", list, obj) }

func (s *Server) add(store map[string]*entry, prefix, parent string, obj any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := normalize(obj)
	id, _ := m["id"].(string)
	if id == "" {
		id = s.newID(prefix)
		m["id"] = id
	}
	e := &entry{obj: m, parent: parent}
	store[id] = e
	s.touch(e)
	return id
}

// AddSamples stores the entries of a canned Graph response (a JSON file
// with a "value" array) as messages of folder, events, or tasks of list,
// by kind ("message", "event", "task").
func (s *Server) AddSamples(kind adapters.Kind, parent, file string) ([]string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	var ids []string
	for _, v := range doc.Value {
		switch kind {
		case adapters.KindMessage:
			ids = append(ids, s.AddMessage(parent, v))
		case adapters.KindEvent:
			ids = append(ids, s.AddEvent(v))
		case adapters.KindTask:
			ids = append(ids, s.AddTask(parent, v))
		}
	}
	return ids, nil
}

// UpdateEvent changes fields of an event as a user in Outlook would,
// giving it a new etag.
func (s *Server) UpdateEvent(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events[id]
	for k, v := range normalize(fields) {
		e.obj[k] = v
	}
	s.touch(e)
}

// Delete removes a message, event or task by id; the next delta round
// reports it as @removed.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, store := range []map[string]*entry{s.messages, s.events, s.tasks} {
		if e, ok := store[id]; ok {
			e.deleted = true
			s.touch(e)
		}
	}
}

// Event returns a copy of a stored event.
func (s *Server) Event(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok || e.deleted {
		return nil, false
	}
	return copyObj(e.obj), true
}

// EventCount counts stored events that are not deleted.
func (s *Server) EventCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.events {
		if !e.deleted {
			n++
		}
	}
	return n
}

// windowsNames are the Windows zone names the fake writes for
// originalStartTimeZone, as Outlook does.
var windowsNames = map[string]string{"Europe/Berlin": "W. Europe Standard Time", "Europe/London": "GMT Standard Time",
	"America/New_York": "Eastern Standard Time"}

// SeedItems writes gwsync items as Graph data: messages into a folder named
// folder, events into the calendar, tasks into a list "Tasks". Event
// times are stored in UTC as Graph reports them, with the item's zone as a
// Windows name in originalStartTimeZone.
func (s *Server) SeedItems(folder string, items []adapters.Item) {
	fid, lid := s.AddFolder(folder), s.AddList("Tasks")
	dt := func(t time.Time) map[string]any {
		return map[string]any{"dateTime": t.UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
	}
	recips := func(list []string) []any {
		out := []any{}
		for _, a := range list {
			out = append(out, map[string]any{"emailAddress": map[string]any{"name": "", "address": a}})
		}
		return out
	}
	for _, it := range items {
		switch it.Kind {
		case adapters.KindMessage:
			s.AddMessage(fid, map[string]any{
				"internetMessageId": "<" + strings.TrimPrefix(it.Key, "mid:") + ">",
				"subject":           it.Subject,
				"from":              map[string]any{"emailAddress": map[string]any{"name": "", "address": it.From}},
				"toRecipients":      recips(it.To), "ccRecipients": recips(it.Cc),
				"sentDateTime":     it.Date.UTC().Format(time.RFC3339),
				"receivedDateTime": it.Date.Add(time.Minute).UTC().Format(time.RFC3339),
				"body":             map[string]any{"contentType": "text", "content": it.Body},
				"hasAttachments":   false,
			})
		case adapters.KindEvent:
			tz := windowsNames[it.Raster.TimeZone]
			if tz == "" {
				tz = "UTC"
			}
			showAs := map[adapters.BusyStatus]string{adapters.BusyFree: "free", adapters.BusyTentative: "tentative",
				adapters.BusyBusy: "busy", adapters.BusyOutOfOffice: "oof", adapters.BusyWorkingElsewhere: "workingElsewhere"}[it.Busy]
			if showAs == "" {
				showAs = "unknown"
			}
			var att []any
			for _, a := range it.Attendees {
				att = append(att, map[string]any{"type": "required", "emailAddress": map[string]any{"address": a},
					"status": map[string]any{"response": "none"}})
			}
			ev := map[string]any{
				"iCalUId": strings.TrimPrefix(it.Key, "ical:"), "type": "singleInstance",
				"subject": it.Subject, "body": map[string]any{"contentType": "text", "content": it.Body},
				"start": dt(it.Raster.Start), "end": dt(it.Raster.End), "isAllDay": it.Raster.AllDay,
				"originalStartTimeZone": tz, "originalEndTimeZone": tz,
				"showAs": showAs, "isCancelled": it.Cancelled, "sensitivity": sensitivity(it.Private), "attendees": append([]any{}, att...),
				"location": map[string]any{"displayName": it.Location},
			}
			if it.From != "" {
				ev["organizer"] = map[string]any{"emailAddress": map[string]any{"address": it.From}}
			}
			s.AddEvent(ev)
		case adapters.KindTask:
			task := map[string]any{
				"id": strings.TrimPrefix(it.Key, "ical:"), "title": it.Subject,
				"body":   map[string]any{"contentType": "text", "content": it.Body},
				"status": map[bool]string{true: "completed", false: "notStarted"}[it.Completed],
			}
			if !it.Raster.Due.IsZero() {
				task["dueDateTime"] = dt(it.Raster.Due)
			}
			s.AddTask(lid, task)
		}
	}
}

// sensitivity is Graph's sensitivity for an item's Private flag.
func sensitivity(private bool) string {
	if private {
		return "private"
	}
	return "normal"
}
