package caldav

import (
	"slices"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// findOffer returns the offer of what at path.
func findOffer(offers []adapters.Offer, what, path string) (adapters.Offer, bool) {
	for _, o := range offers {
		if o.What == what && o.Path == path {
			return o, true
		}
	}
	return adapters.Offer{}, false
}

func TestDiscoverInMemory(t *testing.T) {
	_, u := fakeServer(t, nil)
	s, _ := newSource(t, opts(t, map[string]any{"url": u}))
	offers, err := s.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	work, ok := findOffer(offers, "calendar", "/alice/calendars/work/")
	if !ok || work.Name != "Work" || work.Option != "calendars" || !slices.Equal(work.Components, []string{"VEVENT"}) {
		t.Errorf("calendar work: %+v in %+v", work, offers)
	}
	todo, ok := findOffer(offers, "task list", "/alice/calendars/todo/")
	if !ok || todo.Name != "Tasks" || todo.Option != "task_lists" {
		t.Errorf("task list todo: %+v in %+v", todo, offers)
	}
	if _, ok := findOffer(offers, "calendar", "/alice/calendars/todo/"); ok {
		t.Errorf("a VTODO-only collection is offered as a calendar: %+v", offers)
	}
}

// Against the real servers: the collections a test makes are offered with
// their component sets (Radicale reports them; Xandikos ignores the set
// of MKCALENDAR, and its collections are offered as both then).
func TestDiscoverRadicale(t *testing.T) {
	sv := radicale(t)
	cal, todo := sv.newCollection(t, "VEVENT"), sv.newCollection(t, "VTODO")
	s, _ := newSource(t, opts(t, sv.options(nil)))
	offers, err := s.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := findOffer(offers, "calendar", cal); !ok || o.Name != "gwsync test "+cal || !slices.Contains(o.Components, "VEVENT") {
		t.Errorf("calendar %s not offered: %+v", cal, offers)
	}
	if o, ok := findOffer(offers, "task list", todo); !ok || !slices.Contains(o.Components, "VTODO") {
		t.Errorf("task list %s not offered: %+v", todo, offers)
	}
	if _, ok := findOffer(offers, "calendar", todo); ok {
		t.Errorf("the task list %s is offered as a calendar", todo)
	}
}
