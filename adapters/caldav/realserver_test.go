package caldav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/adapters/icalendar"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/internal/testenv"
)

// server is a real CalDAV server started by scripts/servers/*.sh.
type server struct {
	url, user, pass string
}

func radicale(t *testing.T) server {
	return server{url: testenv.Var(t, "RADICALE_URL"), user: testenv.Var(t, "RADICALE_USER"), pass: testenv.Var(t, "RADICALE_PASSWORD")}
}

func xandikos(t *testing.T) server { return server{url: testenv.Var(t, "XANDIKOS_URL")} }

func (sv server) options(extra map[string]any) map[string]any {
	m := map[string]any{"url": sv.url}
	if sv.user != "" {
		m["username"], m["password"] = sv.user, sv.pass
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func (sv server) dav() *davx.Client {
	c := &davx.Client{HTTP: davx.NewHTTPClient(http.DefaultTransport, time.Minute)}
	if sv.user != "" {
		c.Authorize = func(r *http.Request) { r.SetBasicAuth(sv.user, sv.pass) }
	}
	return c
}

// newCollection makes a fresh calendar (comp VEVENT or VTODO) under the
// user's home and returns its path.
func (sv server) newCollection(t *testing.T, comp string) string {
	t.Helper()
	s, _ := newSource(t, opts(t, sv.options(nil)))
	home, err := s.homeSet(t.Context())
	if err != nil {
		t.Fatalf("discovery from %s: %v", sv.url, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := home + "gw-" + strings.ToLower(comp) + "-" + hex.EncodeToString(b[:]) + "/"
	if err := sv.dav().MkCalendar(t.Context(), s.abs(p), "gwsync test "+p, comp); err != nil {
		t.Fatalf("MKCALENDAR %s: %v", p, err)
	}
	// Left behind, test calendars pile up in the server that CI and the
	// benchmarks share, and every discovery lists them all.
	t.Cleanup(func() { _ = sv.dav().Delete(context.Background(), s.abs(p)) })
	return p
}

func (sv server) put(t *testing.T, path string, data []byte) string {
	t.Helper()
	s, _ := newSource(t, opts(t, sv.options(nil)))
	etag, err := sv.dav().Put(context.Background(), s.abs(path), data, "", "")
	if err != nil {
		t.Fatalf("PUT %s: %v", path, err)
	}
	return etag
}

// seed writes fixture items into a new calendar and task list and returns
// options selecting just those.
func (sv server) seed(t *testing.T, items []adapters.Item) (json.RawMessage, string, string) {
	cal, todo := sv.newCollection(t, "VEVENT"), sv.newCollection(t, "VTODO")
	for i, it := range items {
		switch it.Kind {
		case adapters.KindEvent:
			sv.put(t, cal+objectName(it, i), icalendar.RenderItem(it, stamp))
		case adapters.KindTask:
			sv.put(t, todo+objectName(it, i), icalendar.RenderItem(it, stamp))
		}
	}
	return opts(t, sv.options(map[string]any{"calendars": []string{cal}, "task_lists": []string{todo}})), cal, todo
}

func TestRadicale(t *testing.T) { realServerTests(t, radicale(t)) }
func TestXandikos(t *testing.T) { realServerTests(t, xandikos(t)) }

func realServerTests(t *testing.T, sv server) {
	t.Run("conformance", func(t *testing.T) {
		conformance.RunSource(t, conformance.SourceSuite{Adapter: "caldav", Kinds: []adapters.Kind{adapters.KindEvent, adapters.KindTask},
			Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
				o, _, _ := sv.seed(t, fx.Items)
				return o
			}})
	})
	t.Run("mapping", func(t *testing.T) { testMapping(t, sv) })
	t.Run("incremental", func(t *testing.T) { testIncremental(t, sv) })
	t.Run("stale-write", func(t *testing.T) { testStaleWrite(t, sv) })
	t.Run("export-twice", func(t *testing.T) { testExportTwice(t, sv) })
	if sv.user != "" {
		t.Run("wrong-password", func(t *testing.T) {
			bad := sv
			bad.pass = "wrong"
			s, _ := newSource(t, opts(t, bad.options(nil)))
			_, err := s.Info(t.Context())
			if adapters.CodeOf(err) != adapters.CodeUnauthorized || !strings.Contains(err.Error(), "authentication failed for") {
				t.Fatalf("Info with a wrong password: %v, want Unauthorized \"authentication failed for URL\"", err)
			}
		})
	}
}

func vcal(lines ...string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gwsync test//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n")
}

const berlinTZ = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE"

// testMapping: appointment vs meeting, busy statuses, all-day, a Windows
// zone name, and a weekly series with a comma EXDATE and an override.
func testMapping(t *testing.T, sv server) {
	cal := sv.newCollection(t, "VEVENT")
	ev := func(uid string, props ...string) []string {
		return append(append([]string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20260101T000000Z"}, props...), "END:VEVENT")
	}
	sv.put(t, cal+"meeting.ics", vcal(ev("meeting@t", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z", "SUMMARY:Meeting",
		"ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com", "X-MICROSOFT-CDO-BUSYSTATUS:OOF")...))
	sv.put(t, cal+"free.ics", vcal(ev("free@t", "DTSTART:20270302T090000Z", "DTEND:20270302T100000Z", "SUMMARY:Free", "TRANSP:TRANSPARENT")...))
	sv.put(t, cal+"tentative.ics", vcal(ev("tent@t", "DTSTART:20270303T090000Z", "DURATION:PT30M", "SUMMARY:Maybe", "STATUS:TENTATIVE")...))
	sv.put(t, cal+"allday.ics", vcal(ev("allday@t", "DTSTART;VALUE=DATE:20270304", "DTEND;VALUE=DATE:20270306", "SUMMARY:Trip")...))
	sv.put(t, cal+"windows.ics", vcal(append([]string{berlinTZ}, ev("win@t", "DTSTART;TZID=W. Europe Standard Time:20270705T090000",
		"DTEND;TZID=W. Europe Standard Time:20270705T093000", "SUMMARY:Outlook")...)...))
	series := append(ev("series@t", "DTSTART;TZID=Europe/Berlin:20270301T080000", "DTEND;TZID=Europe/Berlin:20270301T083000",
		"RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20270302T080000,20270303T080000", "SUMMARY:Daily"),
		ev("series@t", "RECURRENCE-ID;TZID=Europe/Berlin:20270304T080000", "DTSTART;TZID=Europe/Berlin:20270304T120000",
			"DTEND;TZID=Europe/Berlin:20270304T123000", "SUMMARY:Daily (moved)")...)
	sv.put(t, cal+"series.ics", vcal(series...))
	sv.put(t, cal+"cancelled.ics", vcal(ev("cancel@t", "DTSTART:20270306T090000Z", "DTEND:20270306T100000Z", "SUMMARY:Off", "STATUS:CANCELLED")...))

	s, _ := newSource(t, opts(t, sv.options(map[string]any{"calendars": []string{cal}, "task_lists": []string{}})))
	items, _ := collect(t, s, adapters.SnapshotRequest{Window: adapters.Window{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}})
	at := func(d, h, m int) time.Time { return time.Date(2027, time.Month(d/100), d%100, h, m, 0, 0, time.UTC) }
	want := []struct {
		key    string
		raster adapters.Raster
		busy   adapters.BusyStatus
		people int
	}{
		{"ical:meeting@t", adapters.Raster{Start: at(301, 9, 0), End: at(301, 10, 0)}, adapters.BusyOutOfOffice, 1},
		{"ical:free@t", adapters.Raster{Start: at(302, 9, 0), End: at(302, 10, 0)}, adapters.BusyFree, 0},
		{"ical:tent@t", adapters.Raster{Start: at(303, 9, 0), End: at(303, 9, 30)}, adapters.BusyTentative, 0},
		{"ical:allday@t", adapters.Raster{Start: at(304, 0, 0), End: at(306, 0, 0), AllDay: true}, adapters.BusyBusy, 0},
		{"ical:win@t", adapters.Raster{Start: at(705, 7, 0), End: at(705, 7, 30)}, adapters.BusyBusy, 0},
		{"ical:series@t/20270301T070000Z", adapters.Raster{Start: at(301, 7, 0), End: at(301, 7, 30)}, adapters.BusyBusy, 0},
		{"ical:series@t/20270304T070000Z", adapters.Raster{Start: at(304, 11, 0), End: at(304, 11, 30)}, adapters.BusyBusy, 0},
		{"ical:series@t/20270305T070000Z", adapters.Raster{Start: at(305, 7, 0), End: at(305, 7, 30)}, adapters.BusyBusy, 0},
	}
	for _, w := range want {
		it, ok := byKey(items, w.key)
		if !ok {
			t.Errorf("%s missing", w.key)
			continue
		}
		if !it.Raster.Equal(w.raster) || it.Busy != w.busy || len(it.Attendees) != w.people || it.Unreadable != "" {
			t.Errorf("%s: raster %v busy %q attendees %v unreadable %q; want %v %q %d", w.key, it.Raster, it.Busy, it.Attendees, it.Unreadable, w.raster, w.busy, w.people)
		}
		if strings.Contains(w.key, "/") && !strings.Contains(it.ID, "#") {
			t.Errorf("%s: occurrence id %q has no #RECURRENCE-ID", w.key, it.ID)
		}
	}
	if c, ok := byKey(items, "ical:cancel@t"); !ok || !c.Cancelled {
		t.Errorf("cancelled event: %+v, want emitted with Cancelled", c)
	}
	if len(items) != len(want)+1 {
		for _, it := range items {
			t.Logf("item %s %s %v", it.ID, it.Key, it.Raster)
		}
		t.Errorf("%d items, want %d", len(items), len(want)+1)
	}
}

// testIncremental: a no-change resync makes at most 2 requests per
// collection; a moved event comes back alone; a refused token is
// CursorInvalid and the full resync after it has every item.
func testIncremental(t *testing.T, sv server) {
	fx := conformance.StandardFixture()
	o, cal, _ := sv.seed(t, fx.Items)
	s, ct := newSource(t, o)
	items, end := collect(t, s, adapters.SnapshotRequest{})
	if len(items) != 4 {
		t.Fatalf("full snapshot: %d items, want 4", len(items))
	}
	ct.n.Store(0)
	none, end2 := collect(t, s, adapters.SnapshotRequest{Cursor: end.Cursor})
	n := ct.n.Load()
	t.Logf("no-change resync: %d requests for 2 collections", n)
	if len(none) != 0 || n > 4 {
		t.Errorf("no-change resync: %d items, %d requests; want 0 items, at most 2 requests per collection", len(none), n)
	}
	dentist, _ := byKey(items, "ical:dentist-2026@gwsync.test")
	moved := dentist
	moved.Raster.Start, moved.Raster.End = moved.Raster.Start.Add(time.Hour), moved.Raster.End.Add(time.Hour)
	sv.put(t, dentist.ID, icalendar.RenderItem(moved, stamp))
	changed, end3 := collect(t, s, adapters.SnapshotRequest{Cursor: end2.Cursor})
	if len(changed) != 1 || changed[0].ID != dentist.ID || !changed[0].Raster.Equal(moved.Raster) {
		t.Errorf("after moving on the server: %+v, want only %s with the new times", changed, dentist.ID)
	}
	// A refused sync token: CursorInvalid, never "deleted".
	c, err := decodeCursor(end3.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if cc := c.Colls[cal]; cc.SyncToken == "" {
		t.Skip("server offers no sync-token")
	} else {
		cc.SyncToken = strings.TrimRight(cc.SyncToken, "/0123456789abcdef") + "/ffffffffdeadbeef"
		cc.CTag = ""
	}
	bogus, _ := c.encode()
	var emitted []adapters.Item
	_, err = s.Snapshot(t.Context(), adapters.SnapshotRequest{Cursor: bogus}, func(it adapters.Item) error { emitted = append(emitted, it); return nil })
	if adapters.CodeOf(err) != adapters.CodeCursorInvalid {
		t.Fatalf("bogus token: %v, want CursorInvalid", err)
	}
	for _, it := range emitted {
		if it.Deleted {
			t.Errorf("a refused token produced a tombstone for %s", it.ID)
		}
	}
	full, _ := collect(t, s, adapters.SnapshotRequest{})
	if len(full) != 4 {
		t.Errorf("full resync after the refused token: %d items, want 4", len(full))
	}
}

// testStaleWrite: a write with an old ETag is a Conflict and the server
// copy stays as it is.
func testStaleWrite(t *testing.T, sv server) {
	fx := conformance.StandardFixture()
	o, _, _ := sv.seed(t, fx.Items)
	s, _ := newSource(t, o)
	items, _ := collect(t, s, adapters.SnapshotRequest{})
	review, _ := byKey(items, "ical:review-2026@gwsync.test")
	serverSide := review
	serverSide.Subject = "Quarterly review (edited on the server)"
	sv.put(t, review.ID, icalendar.RenderItem(serverSide, stamp))
	res, err := s.PutTimes(t.Context(), []adapters.TimeChange{{ID: review.ID, IfVersion: review.Version,
		Raster: adapters.Raster{Start: review.Raster.Start.Add(time.Hour), End: review.Raster.End.Add(time.Hour)}}})
	if err != nil || len(res) != 1 || adapters.CodeOf(res[0].Err) != adapters.CodeConflict {
		t.Fatalf("stale PutTimes: %+v, %v; want one Conflict", res, err)
	}
	after, _ := collect(t, s, adapters.SnapshotRequest{})
	got, _ := byKey(after, review.Key)
	if !got.Raster.Equal(review.Raster) || got.Subject != serverSide.Subject {
		t.Errorf("after a refused write: %v %q, want %v %q", got.Raster, got.Subject, review.Raster, serverSide.Subject)
	}
}

// testExportTwice: two runs export one activity once.
func testExportTwice(t *testing.T, sv server) {
	o, _, _ := sv.seed(t, nil)
	act := adapters.Activity{ID: "crm-77", Type: adapters.TypeMeeting, Subject: "Offer talk",
		Raster: adapters.Raster{Start: time.Date(2027, 2, 2, 10, 0, 0, 0, time.UTC), End: time.Date(2027, 2, 2, 11, 0, 0, 0, time.UTC)}}
	var ids []string
	for run := 0; run < 2; run++ {
		s, _ := newSource(t, o) // a new process each run
		res, err := s.Export(t.Context(), []adapters.Activity{act})
		if err != nil || res[0].Err != nil || res[0].Existed != (run == 1) {
			t.Fatalf("run %d: %+v %v", run, res, err)
		}
		ids = append(ids, res[0].Item.ID)
		items, _ := collect(t, s, adapters.SnapshotRequest{})
		if len(items) != 1 || items[0].ExportedFrom != act.ID || items[0].Busy != adapters.BusyBusy {
			t.Errorf("run %d: snapshot %+v, want the one export", run, items)
		}
	}
	if ids[0] != ids[1] {
		t.Errorf("export ids %v differ", ids)
	}
}
