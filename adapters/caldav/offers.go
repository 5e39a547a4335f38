package caldav

import (
	"context"
	"sort"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
)

// Discover lists the calendars and task lists under the user's calendar
// home: one PROPFIND after discovery, whatever calendars and task_lists
// select. A collection that declares no component set is offered as both.
// Errors: as Info.
func (s *Source) Discover(ctx context.Context) ([]adapters.Offer, error) {
	home, err := s.homeSet(ctx)
	if err != nil {
		return nil, err
	}
	dav, err := s.client()
	if err != nil {
		return nil, err
	}
	var out []adapters.Offer
	err = dav.PropFind(ctx, s.abs(home), "1",
		[]string{davx.PropResourceType, davx.PropDisplayName, davx.PropComponents},
		func(r davx.Response) error {
			if r.Status/100 != 2 || !r.Props.IsCalendar {
				return nil
			}
			path, comps := ensureSlash(r.Href), r.Props.Components
			if len(comps) == 0 || contains(comps, "VEVENT") {
				out = append(out, adapters.Offer{What: "calendar", Name: r.Props.DisplayName, Path: path,
					Option: "calendars", Components: comps, Messages: -1})
			}
			if len(comps) == 0 || contains(comps, "VTODO") {
				out = append(out, adapters.Offer{What: "task list", Name: r.Props.DisplayName, Path: path,
					Option: "task_lists", Components: comps, Messages: -1})
			}
			return nil
		})
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeOf(err), err, "caldav: listing calendars")
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].What != out[j].What {
			return out[i].What < out[j].What
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

var _ adapters.Discoverer = (*Source)(nil)
