package caldav

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// An event with a control character in SUMMARY, PUT on the real server:
// its neighbour still imports, and the event is either imported or
// reported Unreadable by href; the collection never fails as a whole.
// A server that refuses the PUT says so in the log, and the other server
// covers the case.
func TestRadicaleControlCharacter(t *testing.T) { realServerControlCharacter(t, radicale(t)) }
func TestXandikosControlCharacter(t *testing.T) { realServerControlCharacter(t, xandikos(t)) }

func realServerControlCharacter(t *testing.T, sv server) {
	cal := sv.newCollection(t, "VEVENT")
	sv.put(t, cal+"fine.ics", []byte(newEvent("fine@gwsync.test")))
	s, _ := newSource(t, opts(t, sv.options(nil)))
	poison := strings.Replace(newEvent("poison@gwsync.test"), "SUMMARY:new", "SUMMARY:poi\x01son\x00", 1)
	// Xandikos refuses it with a 207 holding a 412 (valid-calendar-data),
	// which reads as success: whether the event exists is what counts.
	_, putErr := sv.dav().Put(t.Context(), s.abs(cal+"poison.ics"), []byte(poison), "", "*")
	if _, _, err := sv.dav().Get(t.Context(), s.abs(cal+"poison.ics")); putErr != nil || err != nil {
		t.Skipf("%s refuses an event with control characters in SUMMARY (PUT: %v, GET: %v); Radicale covers the case", sv.url, putErr, err)
	}
	src, _ := newSource(t, opts(t, sv.options(map[string]any{"calendars": []string{cal}, "task_lists": []string{}})))
	items, _ := collect(t, src, adapters.SnapshotRequest{})
	if _, ok := byKey(items, "ical:fine@gwsync.test"); !ok {
		t.Fatalf("the neighbour did not import: %+v", items)
	}
	for _, it := range items {
		if it.Unreadable != "" {
			if it.ID != cal+"poison.ics" {
				t.Errorf("unreadable item %q, want %spoison.ics: %s", it.ID, cal, it.Unreadable)
			}
			t.Logf("reported: %s", it.Unreadable)
		}
	}
	if len(items) != 2 {
		t.Errorf("%d items, want the neighbour and the event (imported or unreadable)", len(items))
	}
}
