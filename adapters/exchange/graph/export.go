package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// activityProperty is the single-value extended property that holds the
// CRM activity id of an exported event (a named string property in
// gwsync's own property set, so it survives edits in Outlook).
const activityProperty = "String {8d2a4b1e-5c3f-4e7a-9b61-2f0c7d9e4a15} Name gwsyncActivityId"

// Export creates one busy event per calendar activity, with the activity
// id in the extended property. Before creating it looks the id up, so a
// retry after a crash returns the earlier event with Existed=true instead of
// a duplicate; transactionId guards the same way against a POST retried by
// the HTTP layer. Per-item failures (InvalidItem for a non-calendar
// activity or bad raster) go in the result; Unauthorized and Temporary stop
// the batch.
func (s *Source) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	return xchg.ExportEach(ctx, acts, s.exportOne)
}

func (s *Source) exportOne(ctx context.Context, a adapters.Activity) (adapters.Item, bool, error) {
	// xchg.ExportEach has checked the activity.
	if it, ok, err := s.findExported(ctx, a.ID); err != nil || ok {
		return it, ok, err
	}
	body := map[string]any{
		"subject":                       a.Subject,
		"body":                          itemBody{ContentType: "text", Content: a.Body},
		"start":                         dateTime(a.Raster.Start, a.Raster.AllDay),
		"end":                           dateTime(a.Raster.End, a.Raster.AllDay),
		"isAllDay":                      a.Raster.AllDay,
		"showAs":                        "busy",
		"transactionId":                 "gwsync-" + a.ID,
		"singleValueExtendedProperties": []extendedProperty{{ID: activityProperty, Value: a.ID}},
	}
	if a.Location != "" {
		body["location"] = location{DisplayName: a.Location}
	}
	var e event
	if err := s.call(ctx, http.MethodPost, s.cfg.BaseURL+s.cfg.userPath()+"/events", body, nil, &e); err != nil {
		return adapters.Item{}, false, err
	}
	it := eventItem(e)
	it.ExportedFrom = a.ID
	return it, false, nil
}

// findExported looks up the event carrying activity id.
func (s *Source) findExported(ctx context.Context, id string) (adapters.Item, bool, error) {
	q := url.Values{
		"$filter": {"singleValueExtendedProperties/Any(ep: ep/id eq '" + activityProperty + "' and ep/value eq '" + strings.ReplaceAll(id, "'", "''") + "')"},
		"$expand": {"singleValueExtendedProperties($filter=id eq '" + activityProperty + "')"},
	}
	var p struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := s.call(ctx, http.MethodGet, s.cfg.BaseURL+s.cfg.userPath()+"/events?"+q.Encode(), nil, nil, &p); err != nil {
		return adapters.Item{}, false, err
	}
	for _, raw := range p.Value {
		var e event
		if json.Unmarshal(raw, &e) == nil && e.ID != "" {
			it := eventItem(e)
			it.ExportedFrom = id
			return it, true, nil
		}
	}
	return adapters.Item{}, false, nil
}
