package files

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// copyQuickstartCalendar copies the quickstart calendar into a temp dir.
func copyQuickstartCalendar(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(quickstart, "calendar")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newSource(t *testing.T, opts Options) *Source {
	t.Helper()
	raw, _ := json.Marshal(opts)
	s, err := New(adapters.Config{Options: raw, TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPutTimes(t *testing.T) {
	dir := copyQuickstartCalendar(t)
	s := newSource(t, Options{CalendarDir: dir})
	before := snapshotDir(t, Options{CalendarDir: dir}, "Europe/Berlin")
	id := "calendar/quote-review-outlook.ics"
	old, _ := os.ReadFile(filepath.Join(dir, "quote-review-outlook.ics"))
	r := adapters.Raster{Start: time.Date(2027, 2, 5, 8, 0, 0, 0, time.UTC), End: time.Date(2027, 2, 5, 9, 0, 0, 0, time.UTC)}
	res, err := s.PutTimes(context.Background(), []adapters.TimeChange{
		{ID: id, IfVersion: before[id].Version, Raster: r},
		{ID: "calendar/product-demo-contoso.ics", IfVersion: "stale", Raster: r},
		{ID: "calendar/nope.ics", Raster: r},
		{ID: "mail/x", Raster: r},
		{ID: "calendar/../../etc/passwd", Raster: r},
		{ID: "calendar/task-send-quote-contoso.ics", Raster: adapters.Raster{Due: r.End}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := []adapters.Code{adapters.CodeUnknown, adapters.CodeConflict, adapters.CodeNotFound, adapters.CodeInvalidItem, adapters.CodeNotFound, adapters.CodeUnknown}
	for i, want := range wantCodes {
		if got := adapters.CodeOf(res[i].Err); (res[i].Err == nil) != (want == adapters.CodeUnknown) || (res[i].Err != nil && got != want) {
			t.Errorf("change %d (%s): err %v, want code %s", i, res[i].ID, res[i].Err, want)
		}
	}
	after := snapshotDir(t, Options{CalendarDir: dir}, "Europe/Berlin")
	if it := after[id]; !it.Raster.Equal(r) || it.Version != res[0].Version || it.Version == before[id].Version || it.Raster.TimeZone != "Europe/Berlin" {
		t.Errorf("after write: %+v (result version %s)", it, res[0].Version)
	}
	if it := after["calendar/task-send-quote-contoso.ics"]; !it.Raster.Due.Equal(r.End) {
		t.Errorf("task due %v", it.Raster)
	}
	if it := after["calendar/product-demo-contoso.ics"]; it.Version != before["calendar/product-demo-contoso.ics"].Version {
		t.Error("a conflicting change was written")
	}
	now, _ := os.ReadFile(filepath.Join(dir, "quote-review-outlook.ics"))
	if !bytes.Contains(now, []byte(`DTSTART;TZID="W. Europe Standard Time":20270205T090000`+"\r\n")) || !bytes.Contains(now, []byte("SEQUENCE:1\r\n")) ||
		len(now) != len(old) {
		t.Errorf("rewritten file:\n%s", now)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	s := newSource(t, Options{CalendarDir: dir})
	acts := []adapters.Activity{
		{ID: "act-7", Type: adapters.TypeMeeting, Subject: "Kick-off Litware",
			Raster: adapters.Raster{Start: time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC), End: time.Date(2027, 2, 10, 10, 0, 0, 0, time.UTC)}},
		{ID: "act-8", Type: adapters.TypeTask, Subject: "not a calendar entry"},
		{ID: "act-9", Type: adapters.TypeMailIn, Subject: "neither"},
		{ID: "../evil", Type: adapters.TypeFollowUp, Subject: "path", Raster: adapters.Raster{Start: time.Date(2027, 2, 11, 9, 0, 0, 0, time.UTC)}},
	}
	res, err := s.Export(context.Background(), acts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Existed || res[0].Item.ID != "calendar/gwsync-act-7.ics" || res[0].Item.ExportedFrom != "act-7" ||
		res[0].Item.Busy != adapters.BusyBusy || res[0].Item.Key != "ical:gwsync-act-7@gwsync" {
		t.Errorf("export: %+v", res[0])
	}
	for _, i := range []int{1, 2} {
		if adapters.CodeOf(res[i].Err) != adapters.CodeInvalidItem {
			t.Errorf("%s: %v, want invalid-item", acts[i].ID, res[i].Err)
		}
	}
	if res[3].Err != nil || strings.Contains(res[3].Item.ID, "/evil") {
		t.Errorf("escaped id: %+v", res[3])
	}
	// Idempotent: the second export returns the first file untouched.
	first, _ := os.ReadFile(filepath.Join(dir, "gwsync-act-7.ics"))
	acts[0].Subject = "changed"
	res2, err := s.Export(context.Background(), acts[:1])
	if err != nil || !res2[0].Existed || res2[0].Item.Version != res[0].Item.Version || res2[0].Item.Subject != "Kick-off Litware" {
		t.Errorf("re-export: %v %+v", err, res2)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "gwsync-act-7.ics"))
	if !bytes.Equal(first, again) {
		t.Error("re-export rewrote the file")
	}
	got := snapshotDir(t, Options{CalendarDir: dir}, "")
	if len(got) != 2 || got["calendar/gwsync-act-7.ics"].ExportedFrom != "act-7" {
		t.Errorf("snapshot after export: %v", got)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
	// A separate export_dir gives "export/" IDs.
	exp := t.TempDir()
	s = newSource(t, Options{CalendarDir: dir, ExportDir: exp})
	res, _ = s.Export(context.Background(), acts[:1])
	if res[0].Err != nil || res[0].Item.ID != "export/gwsync-act-7.ics" {
		t.Errorf("export dir: %+v", res[0])
	}
}

func TestInfo(t *testing.T) {
	s := newSource(t, Options{CalendarDir: filepath.Join(quickstart, "calendar")})
	info, err := s.Info(context.Background())
	if err != nil || len(info.Kinds) != 2 || !info.Capabilities.WriteTimes || !info.Capabilities.Export || !info.Capabilities.Incremental {
		t.Errorf("info %+v, %v", info, err)
	}
	s = newSource(t, Options{MailDir: filepath.Join(quickstart, "mail")})
	info, err = s.Info(context.Background())
	if err != nil || len(info.Kinds) != 1 || info.Kinds[0] != adapters.KindMessage {
		t.Errorf("info %+v, %v", info, err)
	}
}

func TestWriteFixture(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04", s); return t }
	items := []adapters.Item{
		{Key: "ical:ev1@example.com", Kind: adapters.KindEvent, Subject: "Demo", Busy: adapters.BusyTentative,
			Raster: adapters.Raster{Start: d("2027-01-05 08:00"), End: d("2027-01-05 09:00")}},
		{Key: "ical:ev1@example.com/20270112T080000Z", Kind: adapters.KindEvent, Subject: "Demo moved", Busy: adapters.BusyBusy,
			Raster: adapters.Raster{Start: d("2027-01-12 10:00"), End: d("2027-01-12 11:00")}},
		{Key: "ical:task1", Kind: adapters.KindTask, Subject: "Quote", Raster: adapters.Raster{Due: d("2027-01-06 17:00")}},
		{Key: "mid:m1@example.org", Kind: adapters.KindMessage, Subject: "Anfrage", From: "kunde@example.org",
			To: []string{"sales@example.com"}, Date: d("2027-01-04 09:00"), Body: "Bitte ein Angebot."},
	}
	raw, err := WriteFixture(t.TempDir(), items)
	if err != nil {
		t.Fatal(err)
	}
	var opts Options
	if err := json.Unmarshal(raw, &opts); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]adapters.Item{}
	for _, it := range snapshotDir(t, opts, "") {
		byKey[it.Key] = it
	}
	for _, want := range items {
		got, ok := byKey[want.Key]
		if !ok || got.Subject != want.Subject || got.Kind != want.Kind || !got.Raster.Equal(want.Raster) && want.Kind != adapters.KindMessage ||
			(want.Kind == adapters.KindEvent && got.Busy != want.Busy) || (want.Kind == adapters.KindMessage && (got.Body != want.Body || got.From != want.From)) {
			t.Errorf("%s: got %+v", want.Key, got)
		}
	}
	if _, err := WriteFixture(t.TempDir(), []adapters.Item{{Key: "x"}}); err == nil {
		t.Error("an item without kind was accepted")
	}
}
