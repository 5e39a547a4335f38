package ews

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// maxChanges is SyncFolderItems' MaxChangesReturned: the documented
// maximum, one page of changes per request.
const maxChanges = 512

// cursor holds one sync state per folder read; opaque to the engine.
type cursor struct {
	V        int             `json:"v"`
	Kinds    []adapters.Kind `json:"kinds"`
	Mail     string          `json:"mail,omitempty"`
	Calendar string          `json:"calendar,omitempty"`
	Tasks    string          `json:"tasks,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, kinds []adapters.Kind) (cursor, error) {
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.V != 1 || !slices.Equal(c.Kinds, kinds) {
		return cursor{}, adapters.Errorf(adapters.CodeCursorInvalid, "exchange ews: cursor is not one this version wrote for kinds %v", kinds)
	}
	return c, nil
}

// Snapshot syncs the import folder, Calendar and Tasks: without a cursor
// from the start (Complete), with one from the stored sync states, with
// deletions as tombstones. Errors: CursorInvalid for ErrorInvalidSyncStateData,
// Unauthorized, Temporary, NotFound when the import folder is missing.
// A failed page fails the snapshot.
func (s *Source) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	var kinds []adapters.Kind
	for _, k := range adapters.Kinds {
		if req.Wants(k) {
			kinds = append(kinds, k)
		}
	}
	var prev cursor
	incremental := req.Cursor != ""
	if incremental {
		var err error
		if prev, err = decodeCursor(req.Cursor, kinds); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	next := cursor{V: 1, Kinds: kinds}
	var n int64
	count := func(it adapters.Item) error {
		n++
		return emit(it)
	}
	for _, k := range kinds {
		var folder string
		var state *string
		switch k {
		case adapters.KindMessage:
			id, err := s.findFolder(ctx)
			if err != nil {
				return adapters.SnapshotEnd{}, err
			}
			folder, state = `<t:FolderId Id="`+esc(id)+`"/>`, &next.Mail
			*state = prev.Mail
		case adapters.KindEvent:
			folder, state = `<t:DistinguishedFolderId Id="calendar"/>`, &next.Calendar
			*state = prev.Calendar
		case adapters.KindTask:
			folder, state = `<t:DistinguishedFolderId Id="tasks"/>`, &next.Tasks
			*state = prev.Tasks
		}
		if incremental && *state == "" {
			return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeCursorInvalid, "exchange ews: cursor has no sync state for %s", k)
		}
		st, err := s.syncFolder(ctx, k, folder, *state, count)
		if err != nil {
			return adapters.SnapshotEnd{}, err
		}
		*state = st
	}
	return adapters.SnapshotEnd{Count: n, Cursor: next.encode(), Complete: !incremental}, nil
}

// findFolder returns the id of the import folder, searched by display name
// below the mailbox root. Errors: NotFound naming the folder.
func (s *Source) findFolder(ctx context.Context) (string, error) {
	body := `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>` +
		`<t:AdditionalProperties><t:FieldURI FieldURI="folder:DisplayName"/></t:AdditionalProperties></m:FolderShape>` +
		`<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant>` +
		`<t:Constant Value="` + esc(s.cfg.Folder) + `"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>` +
		`<m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`
	var r findFolderResponse
	if err := s.call(ctx, "FindFolder", body, &r); err != nil {
		return "", err
	}
	for _, m := range r.Messages {
		if err := m.err("FindFolder " + s.cfg.Folder); err != nil {
			return "", err
		}
		for _, f := range m.Folders {
			if strings.EqualFold(f.DisplayName, s.cfg.Folder) || f.DisplayName == "" {
				return f.FolderID.ID, nil
			}
		}
	}
	return "", adapters.Errorf(adapters.CodeNotFound, "exchange ews: %s has no folder %q", s.cfg.who(), s.cfg.Folder)
}

// syncFolder pages SyncFolderItems from state to the end, fetching created
// and updated items with GetItem in batches, and returns the final state.
// A page or batch that fails past the retries is asked for again with the
// same sync state or ids (cfg.Resume): the folder is not synced again from
// the start, and no item is emitted twice.
func (s *Source) syncFolder(ctx context.Context, kind adapters.Kind, folder, state string, emit func(adapters.Item) error) (string, error) {
	prefix := map[adapters.Kind]string{adapters.KindMessage: messagePrefix, adapters.KindEvent: eventPrefix, adapters.KindTask: taskPrefix}[kind]
	for page := 0; page < 100000; page++ {
		body := `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
			`<m:SyncFolderId>` + folder + `</m:SyncFolderId>`
		if state != "" {
			body += `<m:SyncState>` + esc(state) + `</m:SyncState>`
		}
		body += `<m:MaxChangesReturned>` + strconv.Itoa(maxChanges) + `</m:MaxChangesReturned></m:SyncFolderItems>`
		var m syncMessage
		err := s.cfg.Resume.Page(ctx, s.cfg.Logger, fmt.Sprintf("SyncFolderItems %s (page %d)", kind, page+1), func() error {
			var r syncResponse
			if err := s.call(ctx, "SyncFolderItems", body, &r); err != nil {
				return err
			}
			if len(r.Messages) != 1 {
				return adapters.Errorf(adapters.CodeUnknown, "exchange ews: SyncFolderItems returned %d response messages", len(r.Messages))
			}
			m = r.Messages[0]
			return m.err("SyncFolderItems " + string(kind))
		})
		if err != nil {
			return "", err
		}
		var ids []itemID
		for _, c := range m.Changes.List {
			switch c.XMLName.Local {
			case "Create", "Update":
				for _, x := range c.Items {
					ids = append(ids, x.ItemID)
				}
			case "Delete":
				if err := emit(adapters.Item{ID: prefix + c.ItemID.ID, Kind: kind, Deleted: true}); err != nil {
					return "", err
				}
			}
		}
		if err := s.getItems(ctx, kind, ids, emit); err != nil {
			return "", err
		}
		if m.SyncState == "" {
			return "", adapters.Errorf(adapters.CodeUnknown, "exchange ews: SyncFolderItems returned no SyncState")
		}
		state = m.SyncState
		if m.Last {
			return state, nil
		}
	}
	return "", adapters.Errorf(adapters.CodeUnknown, "exchange ews: more than 100000 sync pages, giving up")
}

// getItems fetches items in batches and emits them. An item deleted since
// the sync (ErrorItemNotFound) is skipped: the next sync reports its
// deletion. Any other per-item error makes that item unreadable.
func (s *Source) getItems(ctx context.Context, kind adapters.Kind, ids []itemID, emit func(adapters.Item) error) error {
	for len(ids) > 0 {
		batch := ids[:min(len(ids), s.cfg.BatchSize)]
		ids = ids[len(batch):]
		var got []fetched
		err := s.cfg.Resume.Page(ctx, s.cfg.Logger, fmt.Sprintf("GetItem %s (%d items)", kind, len(batch)), func() error {
			var err error
			got, err = s.getBatch(ctx, kind, batch)
			return err
		})
		if err != nil {
			return err
		}
		for i, g := range got {
			it := g.item
			switch {
			case g.err != nil && adapters.CodeOf(g.err) == adapters.CodeNotFound:
				continue
			case g.err != nil:
				it = xchg.Unreadable(string(kind)+":"+batch[i].ID, kind, "%v", g.err)
			}
			if err := emit(it); err != nil {
				return err
			}
		}
	}
	return nil
}

type fetched struct {
	item adapters.Item
	err  error
}

// getBatch runs one GetItem; results come back one per id, in order.
func (s *Source) getBatch(ctx context.Context, kind adapters.Kind, ids []itemID) ([]fetched, error) {
	var b strings.Builder
	b.WriteString(`<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:BodyType>Best</t:BodyType><t:AdditionalProperties>`)
	if kind == adapters.KindEvent {
		b.WriteString(`<t:FieldURI FieldURI="calendar:UID"/><t:FieldURI FieldURI="calendar:StartTimeZone"/>`)
	}
	b.WriteString(activityPropertyURI + `</t:AdditionalProperties></m:ItemShape><m:ItemIds>`)
	for _, id := range ids {
		b.WriteString(itemIDXML(id.ID, ""))
	}
	b.WriteString(`</m:ItemIds></m:GetItem>`)
	var r getItemResponse
	if err := s.call(ctx, "GetItem", b.String(), &r); err != nil {
		return nil, err
	}
	if len(r.Messages) != len(ids) {
		return nil, adapters.Errorf(adapters.CodeUnknown, "exchange ews: GetItem returned %d answers for %d ids", len(r.Messages), len(ids))
	}
	out := make([]fetched, len(ids))
	for i, m := range r.Messages {
		if err := m.err("GetItem " + ids[i].ID); err != nil {
			out[i].err = err
			continue
		}
		if len(m.Items.Items) != 1 {
			out[i].err = adapters.Errorf(adapters.CodeUnknown, "GetItem %s: %d items in the answer", ids[i].ID, len(m.Items.Items))
			continue
		}
		out[i].item = mapByKind(kind, m.Items.Items[0])
	}
	return out, nil
}

// mapByKind maps by the folder's kind: a meeting request in the import
// folder is a message, whatever its element name.
func mapByKind(kind adapters.Kind, x item) adapters.Item {
	switch kind {
	case adapters.KindEvent:
		return eventItem(x)
	case adapters.KindTask:
		return taskItem(x)
	}
	return messageItem(x)
}
