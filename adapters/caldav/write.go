package caldav

import (
	"context"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// PutTimes writes time changes back: GET the object, check its ETag
// against IfVersion, rewrite only DTSTART/DTEND/DUE/DURATION (bumping
// SEQUENCE) of the component, or add an override for one occurrence of a
// series, and PUT it with If-Match, so a change made on the server in
// between is never overwritten.
//
// Per change: Conflict when the ETag differs from IfVersion or the PUT
// answers 412 (nothing written); NotFound when the object or occurrence is
// gone; InvalidItem when it cannot be patched. Whole call: Unauthorized,
// Temporary.
func (s *Source) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	if _, err := s.client(); err != nil {
		return nil, err
	}
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i].ID = c.ID
		v, err := s.putTimes(ctx, c)
		if err != nil {
			switch adapters.CodeOf(err) {
			case adapters.CodeUnauthorized, adapters.CodeTemporary:
				return nil, err
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out[i].Err = err
			continue
		}
		out[i].Version = v
	}
	return out, nil
}

func (s *Source) putTimes(ctx context.Context, c adapters.TimeChange) (string, error) {
	dav, _ := s.client()
	href, rid, _ := strings.Cut(c.ID, "#")
	if !strings.HasPrefix(href, "/") {
		return "", adapters.Errorf(adapters.CodeNotFound, "caldav: %s is not an object path", c.ID)
	}
	data, etag, err := dav.Get(ctx, s.abs(href))
	if err != nil {
		return "", err
	}
	if c.IfVersion != "" && etag != "" && etag != c.IfVersion {
		return "", adapters.Errorf(adapters.CodeConflict, "caldav: %s changed on the server (ETag %s, expected %s)", c.ID, etag, c.IfVersion)
	}
	items, err := icalendar.Parse(data, icalendar.ParseOptions{Location: s.loc})
	if err != nil || len(items) == 0 {
		return "", adapters.Errorf(adapters.CodeInvalidItem, "caldav: %s cannot be read: %v", href, err)
	}
	base, _, _ := strings.Cut(items[0].Key, "/")
	key := base
	if rid != "" {
		key = base + "/" + rid
	}
	patched, err := icalendar.PatchTimes(data, key, c.Raster)
	if err != nil {
		return "", err
	}
	ifMatch := etag
	if ifMatch == "" {
		ifMatch = c.IfVersion
	}
	newTag, err := dav.Put(ctx, s.abs(href), patched, ifMatch, "")
	if err != nil {
		if adapters.CodeOf(err) == adapters.CodeConflict {
			return "", adapters.Errorf(adapters.CodeConflict, "caldav: %s changed on the server while writing (412)", c.ID)
		}
		return "", err
	}
	if newTag == "" {
		// Servers that rewrite the object may omit the ETag: read it.
		_, newTag, err = dav.Get(ctx, s.abs(href))
		if err != nil {
			return "", err
		}
	}
	return newTag, nil
}

// Export creates one VEVENT per CRM activity in the first selected
// calendar, at "<calendar>/gwsync-<activity id>.ics", with PUT
// If-None-Match: *. The name is derived from the activity id, so a second
// run, or a retry after a crash between the PUT and the link, finds the
// object (412) and returns it with Existed instead of creating another.
//
// Per activity: InvalidItem for a non-calendar activity; Conflict never
// (an existing object is the idempotent case). Whole call: Unauthorized,
// Temporary, InvalidConfig when no calendar is selected.
func (s *Source) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	home, err := s.homeSet(ctx)
	if err != nil {
		return nil, err
	}
	colls, err := s.collections(ctx, home)
	if err != nil {
		return nil, err
	}
	target := ""
	for _, c := range colls {
		if containsKind(c.Kinds, adapters.KindEvent) {
			target = c.Path
			break
		}
	}
	if target == "" {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "caldav: no calendar selected to export into")
	}
	dav, err := s.client()
	if err != nil {
		return nil, err
	}
	out := make([]adapters.ExportResult, len(acts))
	for i, a := range acts {
		out[i].ActivityID = a.ID
		if !a.Type.IsCalendar() {
			out[i].Err = adapters.Errorf(adapters.CodeInvalidItem, "activity %s is a %s, not a calendar entry", a.ID, a.Type)
			continue
		}
		href := target + "gwsync-" + safeName(a.ID) + ".ics"
		data := icalendar.RenderExport(a, time.Now())
		etag, err := dav.Put(ctx, s.abs(href), data, "", "*")
		existed := false
		switch {
		case adapters.CodeOf(err) == adapters.CodeConflict:
			existed = true
			data, etag, err = dav.Get(ctx, s.abs(href))
		case err == nil && etag == "":
			data, etag, err = dav.Get(ctx, s.abs(href))
		}
		if err != nil {
			if c := adapters.CodeOf(err); c == adapters.CodeUnauthorized || c == adapters.CodeTemporary {
				return nil, err
			}
			out[i].Err = err
			continue
		}
		items, err := icalendar.Parse(data, icalendar.ParseOptions{Location: s.loc})
		if err != nil || len(items) == 0 {
			out[i].Err = adapters.Errorf(adapters.CodeInvalidItem, "caldav: exported %s cannot be read back: %v", href, err)
			continue
		}
		it := items[0]
		it.ID, it.Version = href, etag
		out[i].Item, out[i].Existed = it, existed
	}
	return out, nil
}

// safeName keeps an activity id usable as a file name.
func safeName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, id)
}
