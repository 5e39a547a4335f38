package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// messageSelect is the $select of the messages delta: only what mapping
// reads, which keeps pages small.
const messageSelect = "id,internetMessageId,subject,from,sender,toRecipients,ccRecipients,sentDateTime,receivedDateTime,lastModifiedDateTime,body,hasAttachments"

// defaultSpan bounds the calendarView when the request has no window:
// calendarView needs both ends.
const defaultSpan = 5 * 365 * 24 * time.Hour

// pageHeader asks Graph for pages of at most 100 entries.
var pageHeader = map[string]string{"Prefer": "odata.maxpagesize=100"}

// Snapshot reads the wanted kinds: without a cursor everything (Complete),
// with one only the changes since, deletions as tombstones. Errors:
// CursorInvalid when Graph refuses a delta link (410, syncStateNotFound),
// Unauthorized, Temporary, NotFound when the import folder does not exist;
// a failed page fails the whole snapshot.
func (s *Source) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	kinds := wantedKinds(req)
	var prev cursor
	incremental := req.Cursor != ""
	if incremental {
		var err error
		if prev, err = decodeCursor(req.Cursor, kinds); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	next := cursor{V: cursorVersion, Kinds: kinds}
	var n int64
	count := func(it adapters.Item) error {
		n++
		return emit(it)
	}
	if req.Wants(adapters.KindMessage) {
		link, err := s.mailStart(ctx, prev, incremental)
		if err == nil {
			next.Mail, err = s.walk(ctx, link, pageHeader, func(raw json.RawMessage) error {
				var m message
				if err := json.Unmarshal(raw, &m); err != nil {
					return count(badRow(adapters.KindMessage, raw, err))
				}
				if m.Removed != nil {
					return count(adapters.Item{ID: messagePrefix + m.ID, Kind: adapters.KindMessage, Deleted: true})
				}
				return count(messageItem(m))
			})
		}
		if err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	if req.Wants(adapters.KindTask) {
		tasks, err := s.snapshotTasks(ctx, prev, incremental, count)
		if err != nil {
			return adapters.SnapshotEnd{}, err
		}
		next.Tasks = tasks
	}
	if req.Wants(adapters.KindEvent) {
		if err := s.snapshotEvents(ctx, req.Window, prev, incremental, &next, count); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	return adapters.SnapshotEnd{Count: n, Cursor: next.encode(), Complete: !incremental}, nil
}

// badRow stands for an entry Graph sent that is not even JSON of the
// expected shape.
func badRow(kind adapters.Kind, raw json.RawMessage, err error) adapters.Item {
	var id struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &id)
	return adapters.Item{ID: string(kind) + ":" + id.ID, Kind: kind, Unreadable: "bad JSON: " + err.Error()}
}

// mailStart is the first URL of the messages delta: the cursor's link, or
// a fresh delta over the import folder.
func (s *Source) mailStart(ctx context.Context, prev cursor, incremental bool) (string, error) {
	if incremental {
		if prev.Mail == "" {
			return "", adapters.Errorf(adapters.CodeCursorInvalid, "exchange graph: cursor has no mail link")
		}
		return prev.Mail, nil
	}
	folder, err := s.findFolder(ctx)
	if err != nil {
		return "", err
	}
	return s.cfg.BaseURL + s.cfg.userPath() + "/mailFolders/" + pathEscape(folder) + "/messages/delta?" +
		url.Values{"$select": {messageSelect}}.Encode(), nil
}

// findFolder returns the id of the import folder, found by display name
// among the top-level folders. Errors: NotFound naming the folder.
func (s *Source) findFolder(ctx context.Context) (string, error) {
	q := url.Values{"$filter": {"displayName eq '" + strings.ReplaceAll(s.cfg.Folder, "'", "''") + "'"}, "$select": {"id,displayName"}}
	var p struct {
		Value []mailFolder `json:"value"`
	}
	if err := s.call(ctx, http.MethodGet, s.cfg.BaseURL+s.cfg.userPath()+"/mailFolders?"+q.Encode(), nil, nil, &p); err != nil {
		return "", err
	}
	for _, f := range p.Value {
		if strings.EqualFold(f.DisplayName, s.cfg.Folder) {
			return f.ID, nil
		}
	}
	return "", adapters.Errorf(adapters.CodeNotFound, "exchange graph: %s has no top-level mail folder %q", s.cfg.who(), s.cfg.Folder)
}

// snapshotTasks reads every To Do list's tasks delta. A list that appeared
// since the cursor is read whole; a list that disappeared invalidates the
// cursor (its tasks would need tombstones nobody can produce).
func (s *Source) snapshotTasks(ctx context.Context, prev cursor, incremental bool, emit func(adapters.Item) error) (map[string]string, error) {
	var lists struct{ Value []todoList }
	if _, err := s.walk(ctx, s.cfg.BaseURL+s.cfg.userPath()+"/todo/lists", nil, func(raw json.RawMessage) error {
		var l todoList
		if err := json.Unmarshal(raw, &l); err != nil || l.ID == "" {
			return adapters.Errorf(adapters.CodeUnknown, "exchange graph: To Do list entry without id: %s", raw)
		}
		lists.Value = append(lists.Value, l)
		return nil
	}); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if incremental {
		seen := map[string]bool{}
		for _, l := range lists.Value {
			seen[l.ID] = true
		}
		for id := range prev.Tasks {
			if !seen[id] {
				return nil, adapters.Errorf(adapters.CodeCursorInvalid, "exchange graph: To Do list %s is gone", id)
			}
		}
	}
	for _, l := range lists.Value {
		link := prev.Tasks[l.ID]
		if link == "" {
			link = s.cfg.BaseURL + s.cfg.userPath() + "/todo/lists/" + pathEscape(l.ID) + "/tasks/delta"
		}
		list := l.ID
		delta, err := s.walk(ctx, link, pageHeader, func(raw json.RawMessage) error {
			var t todoTask
			if err := json.Unmarshal(raw, &t); err != nil {
				return emit(badRow(adapters.KindTask, raw, err))
			}
			if t.Removed != nil {
				return emit(adapters.Item{ID: taskItemID(list, t.ID), Kind: adapters.KindTask, Deleted: true})
			}
			return emit(taskItem(list, t))
		})
		if err != nil {
			return nil, err
		}
		out[l.ID] = delta
	}
	return out, nil
}

// snapshotEvents reads the calendarView delta. The delta rows do not carry
// extended properties, so the ids of exported events are read from one
// calendarView listing with the property expanded, and set as ExportedFrom.
func (s *Source) snapshotEvents(ctx context.Context, w adapters.Window, prev cursor, incremental bool, next *cursor, emit func(adapters.Item) error) error {
	from, to := w.From, w.To
	if incremental {
		from, to = prev.From, prev.To
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	if from.IsZero() {
		from = now.Add(-defaultSpan)
	}
	if to.IsZero() {
		to = now.Add(defaultSpan)
	}
	next.From, next.To = from.UTC(), to.UTC()
	window := url.Values{"startDateTime": {from.UTC().Format(time.RFC3339)}, "endDateTime": {to.UTC().Format(time.RFC3339)}}
	link := prev.Events
	if incremental && link == "" {
		return adapters.Errorf(adapters.CodeCursorInvalid, "exchange graph: cursor has no events link")
	}
	if !incremental {
		link = s.cfg.BaseURL + s.cfg.userPath() + "/calendarView/delta?" + window.Encode()
	}
	var items []adapters.Item
	delta, err := s.walk(ctx, link, pageHeader, func(raw json.RawMessage) error {
		var e event
		if err := json.Unmarshal(raw, &e); err != nil {
			items = append(items, badRow(adapters.KindEvent, raw, err))
			return nil
		}
		if e.Removed != nil {
			items = append(items, adapters.Item{ID: eventPrefix + e.ID, Kind: adapters.KindEvent, Deleted: true})
			return nil
		}
		items = append(items, eventItem(e))
		return nil
	})
	if err != nil {
		return err
	}
	next.Events = delta
	if len(items) == 0 {
		return nil
	}
	exported, err := s.exportedIDs(ctx, window)
	if err != nil {
		return err
	}
	for _, it := range items {
		if a, ok := exported[it.ID]; ok && it.ExportedFrom == "" {
			it.ExportedFrom = a
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// exportedIDs maps item ids of events in the window that carry the
// activity property to the activity id.
func (s *Source) exportedIDs(ctx context.Context, window url.Values) (map[string]string, error) {
	q := url.Values{}
	for k, v := range window {
		q[k] = v
	}
	q.Set("$select", "id")
	q.Set("$expand", "singleValueExtendedProperties($filter=id eq '"+activityProperty+"')")
	out := map[string]string{}
	_, err := s.walk(ctx, s.cfg.BaseURL+s.cfg.userPath()+"/calendarView?"+q.Encode(), pageHeader, func(raw json.RawMessage) error {
		var e event
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil
		}
		for _, p := range e.ExtendedProperties {
			if strings.EqualFold(p.ID, activityProperty) && p.Value != "" {
				out[eventPrefix+e.ID] = p.Value
			}
		}
		return nil
	})
	return out, err
}
