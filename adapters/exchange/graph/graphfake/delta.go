package graphfake

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// deltaState is what a delta token stands for: changes of resource after
// sequence number since (and for events, the fixed window).
type deltaState struct {
	resource string
	since    int
	epoch    int
	from, to time.Time
}

// pageState is a delta result being paged through with skip tokens; next
// is the offset of the page a token stands for. Each token has its own
// pageState, so a next link asked for again (a client resuming after a
// failed request) gets the same page, as with Graph.
type pageState struct {
	path  string
	rows  []map[string]any
	next  int
	epoch int
	delta deltaState // what the final deltaLink will stand for
}

// delta serves messages, calendarView and tasks delta queries. The first
// call carries the resource's parameters; later calls must use a next or
// delta link verbatim (only $skiptoken or $deltatoken in the query).
func (s *Server) delta(w http.ResponseWriter, r *http.Request, resource string) {
	q := r.URL.Query()
	var ps *pageState
	switch {
	case q.Has("$skiptoken"):
		if len(q) != 1 {
			s.failf(w, "next link altered: query %q", r.URL.RawQuery)
			return
		}
		ps = s.pages[q.Get("$skiptoken")]
		if ps == nil || ps.path != r.URL.Path {
			s.failf(w, "unknown $skiptoken for %s", r.URL.Path)
			return
		}
		if ps.epoch != s.epoch {
			writeError(w, http.StatusGone, "syncStateNotFound", "The sync state generation is not valid anymore.")
			return
		}
	case q.Has("$deltatoken"):
		if len(q) != 1 {
			s.failf(w, "delta link altered: query %q", r.URL.RawQuery)
			return
		}
		ds := s.deltas[q.Get("$deltatoken")]
		if ds == nil || ds.resource != resource {
			s.failf(w, "unknown $deltatoken for %s", resource)
			return
		}
		if ds.epoch != s.epoch {
			writeError(w, http.StatusGone, "syncStateNotFound", "The sync state generation is not valid anymore.")
			return
		}
		ps = s.newPages(r.URL.Path, *ds)
	default:
		ds, ok := s.firstDelta(w, r, resource)
		if !ok {
			return
		}
		ps = s.newPages(r.URL.Path, ds)
	}
	size := s.pageSize
	if pref := r.Header.Get("Prefer"); strings.Contains(pref, "odata.maxpagesize=") {
		n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(strings.SplitN(pref, "odata.maxpagesize=", 2)[1], ",", 2)[0]))
		if n > 0 && n < size {
			size = n
		}
	}
	end := min(ps.next+size, len(ps.rows))
	body := map[string]any{"value": ps.rows[ps.next:end]}
	base := s.srv.URL + r.URL.Path
	if end < len(ps.rows) {
		tok := fmt.Sprintf("skip%d", len(s.pages)+1)
		following := *ps // the token stands for its own page, so it can be sent again
		following.next = end
		s.pages[tok] = &following
		body["@odata.nextLink"] = base + "?$skiptoken=" + tok
	} else {
		tok := fmt.Sprintf("delta%d", len(s.deltas)+1)
		d := ps.delta
		s.deltas[tok] = &d
		body["@odata.deltaLink"] = base + "?$deltatoken=" + tok
	}
	writeJSON(w, http.StatusOK, body)
}

// firstDelta checks the parameters of the first call of a delta query.
func (s *Server) firstDelta(w http.ResponseWriter, r *http.Request, resource string) (deltaState, bool) {
	q := r.URL.Query()
	ds := deltaState{resource: resource, epoch: s.epoch}
	kind, parent, _ := strings.Cut(resource, ":")
	switch kind {
	case "messages":
		if _, ok := s.folders[parent]; !ok {
			writeError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
			return ds, false
		}
		sel := q.Get("$select")
		for _, f := range []string{"internetMessageId", "subject", "from", "body", "sentDateTime"} {
			if !strings.Contains(sel, f) {
				s.failf(w, "messages delta $select %q lacks %s", sel, f)
				return ds, false
			}
		}
		if len(q) != 1 {
			s.failf(w, "messages delta with unexpected query %q", r.URL.RawQuery)
			return ds, false
		}
	case "events":
		from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
		to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
		if err1 != nil || err2 != nil || len(q) != 2 || !from.Before(to) {
			s.failf(w, "calendarView delta needs exactly startDateTime < endDateTime, got %q", r.URL.RawQuery)
			return ds, false
		}
		ds.from, ds.to = from, to
	case "tasks":
		if _, ok := s.lists[parent]; !ok {
			writeError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
			return ds, false
		}
		if len(q) != 0 {
			s.failf(w, "tasks delta with unexpected query %q", r.URL.RawQuery)
			return ds, false
		}
	}
	return ds, true
}

// newPages computes the rows of a delta round: entries of the resource
// changed after ds.since, tombstones only for a round with a token.
func (s *Server) newPages(path string, ds deltaState) *pageState {
	kind, parent, _ := strings.Cut(ds.resource, ":")
	store := map[string]map[string]*entry{"messages": s.messages, "events": s.events, "tasks": s.tasks}[kind]
	var list []*entry
	for _, e := range store {
		if e.seq > ds.since && (parent == "" || e.parent == parent) {
			list = append(list, e)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	ps := &pageState{path: path, epoch: s.epoch, delta: ds}
	ps.delta.since = s.seq
	for _, e := range list {
		gone := e.deleted || (kind == "events" && !inWindow(e.obj, ds.from, ds.to))
		switch {
		case gone && ds.since == 0:
		case gone:
			ps.rows = append(ps.rows, map[string]any{"id": e.obj["id"], "@removed": map[string]any{"reason": "deleted"}})
		default:
			row := copyObj(e.obj)
			delete(row, "singleValueExtendedProperties") // delta never returns them
			ps.rows = append(ps.rows, row)
		}
	}
	return ps
}

// inWindow reports whether an event overlaps [from, to).
// An event without a readable start is served anyway, so that clients
// see malformed data as Graph would hand it over.
func inWindow(obj map[string]any, from, to time.Time) bool {
	start, ok := wallOf(obj["start"])
	if !ok {
		return true
	}
	end, _ := wallOf(obj["end"])
	if end.Before(start) || end.Equal(start) {
		end = start.Add(time.Second)
	}
	return start.Before(to) && end.After(from)
}

// wallOf reads a dateTimeTimeZone object.
func wallOf(v any) (time.Time, bool) {
	m, _ := v.(map[string]any)
	dt, _ := m["dateTime"].(string)
	tz, _ := m["timeZone"].(string)
	t, err := time.Parse("2006-01-02T15:04:05.9999999", dt)
	if err != nil {
		return time.Time{}, false
	}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
	}
	return t, true
}

func copyObj(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
