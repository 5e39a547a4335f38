package ews

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Export creates one busy calendar item per calendar activity, with the
// activity id in a PublicStrings extended property and
// SendMeetingInvitations="SendToNone" so nobody gets mail. It first looks
// the id up with FindItem, so a retry returns the earlier item with
// Existed=true. Per-item failures go in the result; Unauthorized and
// Temporary stop the batch.
func (s *Source) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	return xchg.ExportEach(ctx, acts, s.exportOne)
}

func (s *Source) exportOne(ctx context.Context, a adapters.Activity) (adapters.Item, bool, error) {
	// xchg.ExportEach has checked the activity.
	id, err := s.findExported(ctx, a.ID)
	if err != nil {
		return adapters.Item{}, false, err
	}
	existed := id != ""
	if !existed {
		if id, err = s.create(ctx, a); err != nil {
			return adapters.Item{}, false, err
		}
	}
	got, err := s.getBatch(ctx, adapters.KindEvent, []itemID{{ID: id}})
	if err != nil {
		return adapters.Item{}, false, err
	}
	if got[0].err != nil {
		return adapters.Item{}, false, got[0].err
	}
	it := got[0].item
	it.ExportedFrom = a.ID
	return it, existed, nil
}

// findExported returns the id of the calendar item carrying activity id,
// or "".
func (s *Source) findExported(ctx context.Context, activity string) (string, error) {
	body := `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
		`<m:Restriction><t:IsEqualTo>` + activityPropertyURI + `<t:FieldURIOrConstant><t:Constant Value="` + esc(activity) +
		`"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>` +
		`<m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>`
	var r findItemResponse
	if err := s.call(ctx, "FindItem", body, &r); err != nil {
		return "", err
	}
	for _, m := range r.Messages {
		if err := m.err("FindItem " + activity); err != nil {
			return "", err
		}
		for _, x := range m.Items.Items {
			return x.ItemID.ID, nil
		}
	}
	return "", nil
}

func (s *Source) create(ctx context.Context, a adapters.Activity) (string, error) {
	allDay := "false"
	if a.Raster.AllDay {
		allDay = "true"
	}
	body := `<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId>` +
		`<m:Items><t:CalendarItem><t:Subject>` + esc(a.Subject) + `</t:Subject><t:Body BodyType="Text">` + esc(a.Body) + `</t:Body>` +
		`<t:ExtendedProperty>` + activityPropertyURI + `<t:Value>` + esc(a.ID) + `</t:Value></t:ExtendedProperty>` +
		`<t:Start>` + stamp(a.Raster.Start) + `</t:Start><t:End>` + stamp(a.Raster.End) + `</t:End>` +
		`<t:IsAllDayEvent>` + allDay + `</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus>`
	if a.Location != "" {
		body += `<t:Location>` + esc(a.Location) + `</t:Location>`
	}
	body += `</t:CalendarItem></m:Items></m:CreateItem>`
	var r createItemResponse
	if err := s.call(ctx, "CreateItem", body, &r); err != nil {
		return "", err
	}
	if len(r.Messages) != 1 {
		return "", adapters.Errorf(adapters.CodeUnknown, "exchange ews: CreateItem returned %d answers", len(r.Messages))
	}
	if err := r.Messages[0].err("CreateItem for activity " + a.ID); err != nil {
		return "", err
	}
	for _, x := range r.Messages[0].Items.Items {
		if x.ItemID.ID != "" {
			return x.ItemID.ID, nil
		}
	}
	return "", adapters.Errorf(adapters.CodeUnknown, "exchange ews: CreateItem returned no ItemId")
}
