package memory

import (
	"context"
	"strconv"

	"github.com/gwsync/gwsync/adapters"
)

// Attachment content lives in the store: an item's attachment with Data is
// one the groupware holds, and a CRM activity's attachment with Data is one
// the CRM stored. Neither crosses a snapshot or a listing; content is read
// one attachment at a time (ReadAttachment), as real adapters must.

// snapshotItem is it as a snapshot shows it: attachments with content get
// a Part (their position, from 1, unless the seed named one) and lose
// their Data.
func snapshotItem(it adapters.Item) adapters.Item {
	if len(it.Attachments) == 0 {
		return it
	}
	list := make([]adapters.Attachment, len(it.Attachments))
	for i, a := range it.Attachments {
		if a.Data != nil && a.Part == "" {
			a.Part = strconv.Itoa(i + 1)
		}
		a.Data = nil
		list[i] = a
	}
	it.Attachments = list
	return it
}

// listedActivity is a as a listing or an upsert result shows it: Stored
// instead of the content.
func listedActivity(a adapters.Activity) adapters.Activity {
	if len(a.Attachments) == 0 {
		return a
	}
	list := make([]adapters.Attachment, len(a.Attachments))
	for i, f := range a.Attachments {
		f.Stored = f.Stored || f.Data != nil
		f.Data, f.Part = nil, ""
		list[i] = f
	}
	a.Attachments = list
	return a
}

// ReadAttachment returns the content of the attachment that the snapshot
// listed with part. Errors: NotFound for an unknown item or part (or one
// without content); InvalidItem when the content is longer than limit.
func (s *Store) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	it, ok := s.items[itemID]
	s.mu.Unlock()
	if !ok {
		return nil, adapters.Errorf(adapters.CodeNotFound, "memory: item %s not found", itemID)
	}
	for i, a := range snapshotItem(it).Attachments {
		data := it.Attachments[i].Data
		if part == "" || a.Part != part || data == nil {
			continue
		}
		if int64(len(data)) > limit {
			return nil, adapters.Errorf(adapters.CodeInvalidItem, "memory: item %s part %s: %d bytes, over the limit of %d", itemID, part, len(data), limit)
		}
		return append([]byte(nil), data...), nil
	}
	return nil, adapters.Errorf(adapters.CodeNotFound, "memory: item %s has no attachment part %q with content", itemID, part)
}

var _ adapters.AttachmentReader = (*Store)(nil)
