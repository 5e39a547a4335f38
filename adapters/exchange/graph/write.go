package graph

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// PutTimes PATCHes the times of events and tasks, each with If-Match on the
// etag the engine saw, so a change made in Outlook meanwhile is a per-item
// Conflict (412) and nothing is written. Messages have no times to change
// (InvalidItem). The error return is for Unauthorized and Temporary, which
// stop the batch; items not reached then carry the same error.
func (s *Source) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	return xchg.PutEach(ctx, changes, s.patchOne)
}

// patchOne PATCHes one change and returns the item's new etag.
func (s *Source) patchOne(ctx context.Context, c adapters.TimeChange) (string, error) {
	url, body, err := s.patchFor(c)
	if err != nil {
		return "", err
	}
	header := map[string]string{}
	if c.IfVersion != "" {
		header["If-Match"] = c.IfVersion
	}
	var res struct {
		ETag string `json:"@odata.etag"`
	}
	if err := s.call(ctx, http.MethodPatch, url, body, header, &res); err != nil {
		return "", err
	}
	return res.ETag, nil
}

// patchFor builds the PATCH of one change: its URL and body.
// Errors: NotFound for an id this adapter never issued, InvalidItem for a
// raster the kind cannot hold.
func (s *Source) patchFor(c adapters.TimeChange) (string, map[string]any, error) {
	user := s.cfg.BaseURL + s.cfg.userPath()
	switch {
	case strings.HasPrefix(c.ID, eventPrefix):
		if err := xchg.CheckRaster(c.ID, adapters.KindEvent, c.Raster); err != nil {
			return "", nil, err
		}
		r := c.Raster
		body := map[string]any{
			"start":    dateTime(r.Start, r.AllDay),
			"end":      dateTime(r.End, r.AllDay),
			"isAllDay": r.AllDay,
		}
		return user + "/events/" + pathEscape(strings.TrimPrefix(c.ID, eventPrefix)), body, nil
	case strings.HasPrefix(c.ID, taskPrefix):
		list, task, ok := strings.Cut(strings.TrimPrefix(c.ID, taskPrefix), "|")
		if !ok || list == "" || task == "" {
			return "", nil, adapters.Errorf(adapters.CodeNotFound, "exchange graph: no task %s", c.ID)
		}
		if err := xchg.CheckRaster(c.ID, adapters.KindTask, c.Raster); err != nil {
			return "", nil, err
		}
		body := map[string]any{}
		if !c.Raster.Due.IsZero() {
			body["dueDateTime"] = dateTime(c.Raster.Due, false)
		}
		if !c.Raster.Start.IsZero() {
			body["startDateTime"] = dateTime(c.Raster.Start, false)
		}
		return user + "/todo/lists/" + pathEscape(list) + "/tasks/" + pathEscape(task), body, nil
	case strings.HasPrefix(c.ID, messagePrefix):
		return "", nil, adapters.Errorf(adapters.CodeInvalidItem, "exchange graph: %s is a message; it has no times to change", c.ID)
	}
	return "", nil, adapters.Errorf(adapters.CodeNotFound, "exchange graph: no item %s", c.ID)
}

// dateTime renders a Graph dateTimeTimeZone in UTC; all-day dates are
// already midnight UTC, which is what Graph wants with timeZone UTC.
func dateTime(t time.Time, _ bool) dateTimeTimeZone {
	return dateTimeTimeZone{DateTime: xchg.FormatWall(t), TimeZone: "UTC"}
}
