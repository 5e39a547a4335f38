package ews

import (
	"context"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// PutTimes changes the times of calendar items and tasks with UpdateItem,
// passing the ChangeKey the engine saw, so that a change made in Outlook
// meanwhile comes back as ErrorIrresolvableConflict: a per-item Conflict,
// nothing written. Without IfVersion the write is unconditional
// (AlwaysOverwrite). Nobody is notified (SendToNone). Unauthorized and
// Temporary stop the batch and are returned whole.
func (s *Source) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	return xchg.PutEach(ctx, changes, s.putOne)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func setField(uri, element, field, value string) string {
	return `<t:SetItemField><t:FieldURI FieldURI="` + uri + `"/><t:` + element + `><t:` + field + `>` + esc(value) +
		`</t:` + field + `></t:` + element + `></t:SetItemField>`
}

func (s *Source) putOne(ctx context.Context, c adapters.TimeChange) (string, error) {
	var id, updates string
	switch {
	case strings.HasPrefix(c.ID, eventPrefix):
		if err := xchg.CheckRaster(c.ID, adapters.KindEvent, c.Raster); err != nil {
			return "", err
		}
		id = strings.TrimPrefix(c.ID, eventPrefix)
		allDay := "false"
		if c.Raster.AllDay {
			allDay = "true"
		}
		updates = setField("calendar:Start", "CalendarItem", "Start", stamp(c.Raster.Start)) +
			setField("calendar:End", "CalendarItem", "End", stamp(c.Raster.End)) +
			setField("calendar:IsAllDayEvent", "CalendarItem", "IsAllDayEvent", allDay)
	case strings.HasPrefix(c.ID, taskPrefix):
		if err := xchg.CheckRaster(c.ID, adapters.KindTask, c.Raster); err != nil {
			return "", err
		}
		id = strings.TrimPrefix(c.ID, taskPrefix)
		if !c.Raster.Start.IsZero() {
			updates += setField("task:StartDate", "Task", "StartDate", stamp(c.Raster.Start))
		}
		if !c.Raster.Due.IsZero() {
			updates += setField("task:DueDate", "Task", "DueDate", stamp(c.Raster.Due))
		}
	case strings.HasPrefix(c.ID, messagePrefix):
		return "", adapters.Errorf(adapters.CodeInvalidItem, "exchange ews: %s is a message; it has no times to change", c.ID)
	default:
		return "", adapters.Errorf(adapters.CodeNotFound, "exchange ews: no item %s", c.ID)
	}
	if id == "" {
		return "", adapters.Errorf(adapters.CodeNotFound, "exchange ews: no item %s", c.ID)
	}
	resolution := "NeverOverwrite"
	if c.IfVersion == "" {
		resolution = "AlwaysOverwrite"
	}
	body := `<m:UpdateItem ConflictResolution="` + resolution + `" SendMeetingInvitationsOrCancellations="SendToNone">` +
		`<m:ItemChanges><t:ItemChange>` + itemIDXML(id, c.IfVersion) + `<t:Updates>` + updates +
		`</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`
	var r updateItemResponse
	if err := s.call(ctx, "UpdateItem", body, &r); err != nil {
		return "", err
	}
	if len(r.Messages) != 1 {
		return "", adapters.Errorf(adapters.CodeUnknown, "exchange ews: UpdateItem returned %d answers", len(r.Messages))
	}
	if err := r.Messages[0].err("UpdateItem " + c.ID); err != nil {
		return "", err
	}
	for _, x := range r.Messages[0].Items.Items {
		return x.ItemID.ChangeKey, nil
	}
	return "", nil
}
