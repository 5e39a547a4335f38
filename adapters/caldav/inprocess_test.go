package caldav

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
)

// The well-known URL and a path deep below the root both find the home.
func TestDiscoveryFromAnyURL(t *testing.T) {
	_, u := fakeServer(t, conformance.StandardFixture().Items)
	for _, start := range []string{u, u + "/alice/calendars/work/"} {
		s, _ := newSource(t, opts(t, map[string]any{"url": start}))
		home, err := s.homeSet(t.Context())
		if err != nil || home != "/alice/calendars/" {
			t.Errorf("from %s: home %q, %v", start, home, err)
		}
	}
}

// Without sync-collection or ctag, the incremental path lists ETags:
// changed objects come back, deleted ones as tombstones, and a no-change
// resync fetches no data.
func TestIncrementalByETagListing(t *testing.T) {
	fx := conformance.StandardFixture()
	b, u := fakeServer(t, fx.Items)
	s, ct := newSource(t, opts(t, map[string]any{"url": u, "calendars": []string{"Work"}, "task_lists": []string{}}))
	items, end := collect(t, s, adapters.SnapshotRequest{})
	if len(items) != 3 || !end.Complete || end.Cursor == "" {
		t.Fatalf("full: %d items, end %+v", len(items), end)
	}
	// The first resync learns that the server has no sync-collection
	// (one refused REPORT); later ones cost two requests.
	ct.n.Store(0)
	again, end2 := collect(t, s, adapters.SnapshotRequest{Cursor: end.Cursor})
	if len(again) != 0 || end2.Complete {
		t.Errorf("first resync emitted %d items (complete %v)", len(again), end2.Complete)
	}
	if n := ct.n.Load(); n > 3 {
		t.Errorf("first resync made %d requests, want at most 3 for one collection", n)
	}
	ct.n.Store(0)
	before := end2.Cursor
	again, end2 = collect(t, s, adapters.SnapshotRequest{Cursor: before})
	if len(again) != 0 {
		t.Errorf("no-change resync emitted %d items", len(again))
	}
	if end2.Cursor != before {
		t.Errorf("no-change resync encoded a new cursor instead of returning the one it was given")
	}
	if n := ct.n.Load(); n > 2 {
		t.Errorf("no-change resync made %d requests, want at most 2 for one collection", n)
	}
	// The server's lack of sync-collection is remembered: the runs after
	// never ask for it again.
	ct.n.Store(0)
	if _, end2 = collect(t, s, adapters.SnapshotRequest{Cursor: end2.Cursor}); ct.n.Load() > 2 {
		t.Errorf("third resync made %d requests, want at most 2 (no sync-collection asked again)", ct.n.Load())
	}
	dentist, _ := byKey(items, "ical:dentist-2026@gwsync.test")
	b.Delete(dentist.ID)
	third, end3 := collect(t, s, adapters.SnapshotRequest{Cursor: end2.Cursor})
	if len(third) != 1 || !third[0].Deleted || third[0].ID != dentist.ID {
		t.Errorf("after delete: %+v, want one tombstone for %s", third, dentist.ID)
	}
	if c, err := decodeCursor(end3.Cursor); err != nil || len(c.Colls) != 1 {
		t.Fatalf("cursor after the delete: %v", err)
	} else {
		for _, cc := range c.Colls {
			if _, still := cc.Objects[dentist.ID]; still || len(cc.Objects) != 2 {
				t.Errorf("cursor after the delete keeps %d objects (the deleted one: %v), want 2", len(cc.Objects), still)
			}
		}
	}
}

func TestBadCursorIsCursorInvalid(t *testing.T) {
	_, u := fakeServer(t, nil)
	s, _ := newSource(t, opts(t, map[string]any{"url": u}))
	_, err := s.Snapshot(t.Context(), adapters.SnapshotRequest{Cursor: "garbage"}, func(adapters.Item) error { return nil })
	if adapters.CodeOf(err) != adapters.CodeCursorInvalid {
		t.Fatalf("got %v, want CursorInvalid", err)
	}
}

// A malformed object is emitted Unreadable with its path, the rest of
// the collection still imports, and it is fetched again next run.
func TestMalformedObjectReported(t *testing.T) {
	s, _ := newSource(t, opts(t, map[string]any{"url": "http://127.0.0.1:1"}))
	var got []adapters.Item
	r := &run{s: s, emit: func(it adapters.Item) error { got = append(got, it); return nil }}
	bad := []string{
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nbroken line\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	}
	for i, data := range bad {
		got = nil
		o, err := r.object("/alice/cal/bad.ics", `"e1"`, data, []adapters.Kind{adapters.KindEvent}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !strings.HasPrefix(got[0].Unreadable, "/alice/cal/bad.ics: ") || got[0].ID != "/alice/cal/bad.ics" {
			t.Errorf("case %d: %+v", i, got)
		}
		if o.ETag != "" {
			t.Errorf("case %d: unreadable object kept ETag %q, so it would not be retried", i, o.ETag)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, bad := range []string{`{}`, `{"url":"ftp://x"}`, `{"url":"http://h","password":"p"}`, `{"url":"http://h","username":"u","password":"p","token":"t"}`, `{"url":"http://h","nope":1}`} {
		if _, err := New(adapters.Config{Options: []byte(bad)}); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
			t.Errorf("%s: %v, want InvalidConfig", bad, err)
		}
	}
	if _, err := New(adapters.Config{Options: []byte(`{"url":"http://127.0.0.1:9/","username":"u","password_file":"/nonexistent"}`)}); err != nil {
		t.Errorf("constructor must not read files: %v", err)
	}
}
