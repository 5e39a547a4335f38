package graphfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ActivityProperty is the extended property the adapter must use for the
// CRM activity id; the fake spells it out on its own so that a change on
// either side fails the tests.
const ActivityProperty = "String {8d2a4b1e-5c3f-4e7a-9b61-2f0c7d9e4a15} Name gwsyncActivityId"

var expandProperty = "singleValueExtendedProperties($filter=id eq '" + ActivityProperty + "')"

// PATCH may change only the time raster.
var (
	eventPatchFields = map[string]bool{"start": true, "end": true, "isAllDay": true}
	taskPatchFields  = map[string]bool{"dueDateTime": true, "startDateTime": true}
	eventPostFields  = map[string]bool{"subject": true, "body": true, "start": true, "end": true, "isAllDay": true,
		"showAs": true, "transactionId": true, "singleValueExtendedProperties": true, "location": true}
)

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := regexp.MustCompile(`^displayName eq '((?:[^']|'')*)'$`).FindStringSubmatch(q.Get("$filter"))
	if m == nil {
		s.failf(w, "mailFolders without a displayName $filter: %q", r.URL.RawQuery)
		return
	}
	name := strings.ReplaceAll(m[1], "''", "'")
	var out []map[string]any
	for id, n := range s.folders {
		if strings.EqualFold(n, name) {
			out = append(out, map[string]any{"id": id, "displayName": n})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(out)})
}

func (s *Server) listLists(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		s.failf(w, "todo/lists with unexpected query %q", r.URL.RawQuery)
		return
	}
	var out []map[string]any
	for id, n := range s.lists {
		out = append(out, map[string]any{"id": id, "displayName": n, "wellknownListName": "none", "isOwner": true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(out)})
}

// calendarView serves the plain (non-delta) view the adapter uses to read
// the extended property of events in the window.
func (s *Server) calendarView(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
	to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
	if err1 != nil || err2 != nil || q.Get("$select") != "id" || q.Get("$expand") != expandProperty || len(q) != 4 {
		s.failf(w, "calendarView with unexpected query %q", r.URL.RawQuery)
		return
	}
	var out []map[string]any
	for _, e := range s.sortedEvents() {
		if e.deleted || !inWindow(e.obj, from, to) {
			continue
		}
		row := map[string]any{"id": e.obj["id"]}
		if p, ok := e.obj["singleValueExtendedProperties"]; ok {
			row["singleValueExtendedProperties"] = p
		}
		out = append(out, row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(out)})
}

var propertyFilter = regexp.MustCompile(`^singleValueExtendedProperties/Any\(ep: ep/id eq '([^']*)' and ep/value eq '((?:[^']|'')*)'\)$`)

// findByProperty serves GET events?$filter=singleValueExtendedProperties/Any(...).
func (s *Server) findByProperty(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := propertyFilter.FindStringSubmatch(q.Get("$filter"))
	if m == nil || m[1] != ActivityProperty || q.Get("$expand") != expandProperty || len(q) != 2 {
		s.failf(w, "events lookup with unexpected query %q", r.URL.RawQuery)
		return
	}
	value := strings.ReplaceAll(m[2], "''", "'")
	var out []map[string]any
	for _, e := range s.sortedEvents() {
		if !e.deleted && propertyValue(e.obj) == value {
			out = append(out, copyObj(e.obj))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(out)})
}

func propertyValue(obj map[string]any) string {
	props, _ := obj["singleValueExtendedProperties"].([]any)
	for _, p := range props {
		pm, _ := p.(map[string]any)
		if pm["id"] == ActivityProperty {
			v, _ := pm["value"].(string)
			return v
		}
	}
	return ""
}

func (s *Server) sortedEvents() []*entry {
	var list []*entry
	for _, e := range s.events {
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	return list
}

// readBody decodes a JSON request body, checking Content-Type and that it
// has only allowed fields.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, allowed map[string]bool) (map[string]any, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.failf(w, "%s %s with Content-Type %q, want application/json", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		return nil, false
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		s.failf(w, "%s %s: body is not a JSON object: %v", r.Method, r.URL.Path, err)
		return nil, false
	}
	for k := range body {
		if !allowed[k] {
			s.failf(w, "%s %s: unexpected field %q", r.Method, r.URL.Path, k)
			return nil, false
		}
	}
	for _, k := range []string{"start", "end", "dueDateTime", "startDateTime"} {
		if v, ok := body[k]; ok {
			if _, ok := wallOf(v); !ok {
				s.failf(w, "%s %s: %s is not a dateTimeTimeZone: %v", r.Method, r.URL.Path, k, v)
				return nil, false
			}
		}
	}
	return body, true
}

// patch applies a PATCH of times, honouring If-Match.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, e *entry, allowed map[string]bool) {
	body, ok := s.readBody(w, r, allowed)
	if !ok {
		return
	}
	if e == nil || e.deleted {
		writeError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
		return
	}
	if im := r.Header.Get("If-Match"); im != "" && im != e.obj["@odata.etag"] {
		writeError(w, http.StatusPreconditionFailed, "ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.")
		return
	}
	for k, v := range body {
		e.obj[k] = v
	}
	s.touch(e)
	writeJSON(w, http.StatusOK, copyObj(e.obj))
}

// createEvent serves POST events: the export path.
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r, eventPostFields)
	if !ok {
		return
	}
	if body["showAs"] != "busy" {
		s.failf(w, "exported event with showAs %v, want busy", body["showAs"])
		return
	}
	activity := propertyValue(body)
	if activity == "" {
		s.failf(w, "exported event without the %s extended property", ActivityProperty)
		return
	}
	if tx, _ := body["transactionId"].(string); tx != "" {
		for _, e := range s.events {
			if e.obj["transactionId"] == tx && !e.deleted {
				writeJSON(w, http.StatusCreated, copyObj(e.obj))
				return
			}
		}
	}
	id := s.newID("evt")
	body["id"] = id
	body["iCalUId"] = fmt.Sprintf("040000008200E00074C5B7101A82E0080000000%s", strings.TrimSuffix(id, "="))
	body["type"] = "singleInstance"
	body["isCancelled"] = false
	body["organizer"] = map[string]any{"emailAddress": map[string]any{"name": "Alice", "address": Mailbox}}
	body["attendees"] = []any{}
	body["originalStartTimeZone"] = "UTC"
	e := &entry{obj: body}
	s.events[id] = e
	s.touch(e)
	writeJSON(w, http.StatusCreated, copyObj(e.obj))
}

func nonNil(v []map[string]any) []map[string]any {
	if v == nil {
		return []map[string]any{}
	}
	return v
}
