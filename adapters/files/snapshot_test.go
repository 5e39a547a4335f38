package files

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

var quickstart = filepath.Join("..", "..", "testdata", "quickstart")

func TestSnapshotQuickstart(t *testing.T) {
	got := snapshotDir(t, Options{CalendarDir: filepath.Join(quickstart, "calendar"), MailDir: filepath.Join(quickstart, "mail")}, "Europe/Berlin")
	byKind := map[adapters.Kind]int{}
	for id, it := range got {
		byKind[it.Kind]++
		if it.Unreadable != "" || len(it.Warnings) > 0 {
			t.Errorf("%s: unreadable %q warnings %q", id, it.Unreadable, it.Warnings)
		}
	}
	if byKind[adapters.KindEvent] != 6 || byKind[adapters.KindTask] != 2 || byKind[adapters.KindMessage] != 5 {
		t.Errorf("kinds %v, want 6 events, 2 tasks, 5 messages", byKind)
	}
	checks := []struct {
		id    string
		check func(adapters.Item) bool
	}{
		{"calendar/customer-visit-northwind.ics", func(it adapters.Item) bool {
			return it.Busy == adapters.BusyBusy && it.Raster.Start.Equal(time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)) && it.Raster.TimeZone == "Europe/Berlin"
		}},
		{"calendar/product-demo-contoso.ics", func(it adapters.Item) bool { return it.Busy == adapters.BusyTentative }},
		{"calendar/quote-preparation-block.ics", func(it adapters.Item) bool { return it.Busy == adapters.BusyFree }},
		{"calendar/pricing-meeting-fabrikam.ics", func(it adapters.Item) bool {
			return it.From == "sam.seller@example.com" && strings.Join(it.Attendees, ",") == "frida.buyer@example.org,paul.purchasing@example.org"
		}},
		{"calendar/trade-fair-hannover.ics", func(it adapters.Item) bool {
			return it.Raster.AllDay && it.Raster.End.Sub(it.Raster.Start) == 72*time.Hour
		}},
		{"calendar/quote-review-outlook.ics", func(it adapters.Item) bool {
			return it.Raster.Start.Equal(time.Date(2027, 2, 4, 14, 0, 0, 0, time.UTC)) && it.Raster.TimeZone == "Europe/Berlin"
		}},
		{"calendar/task-send-quote-contoso.ics", func(it adapters.Item) bool {
			return it.Kind == adapters.KindTask && it.Raster.Due.Equal(time.Date(2027, 1, 22, 16, 0, 0, 0, time.UTC))
		}},
		{"calendar/task-prepare-demo-environment.ics", func(it adapters.Item) bool { return !it.Raster.Start.IsZero() && !it.Raster.Due.IsZero() }},
		{"mail/1767610000.M102P2002.mailhost", func(it adapters.Item) bool {
			return it.Subject == "Vertragsverlängerung und Preisübersicht" && strings.Contains(it.Body, "Grüße aus Hamburg")
		}},
		{"mail/1767620000.M103P2003.mailhost", func(it adapters.Item) bool { return strings.Contains(it.Body, "- User management & SSO") }},
		{"mail/1767630000.M104P2004.mailhost", func(it adapters.Item) bool {
			return len(it.Attachments) == 1 && it.Attachments[0].Name == "PO-2027-0042.pdf" && it.Attachments[0].Size > 0
		}},
		{"mail/1767640000.M105P2005.mailhost", func(it adapters.Item) bool {
			return !strings.Contains(it.Body, "<p>") && it.Key == "mid:cal-followup-9@adventure-works.example.com"
		}},
	}
	for _, c := range checks {
		if it, ok := got[c.id]; !ok || !c.check(it) {
			t.Errorf("%s: %+v", c.id, it)
		}
	}
}

func TestSnapshotKindsAndErrors(t *testing.T) {
	raw, _ := json.Marshal(Options{CalendarDir: filepath.Join(quickstart, "calendar"), MailDir: filepath.Join(quickstart, "mail")})
	s, err := New(adapters.Config{Options: raw})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []adapters.Kind
	end, err := s.Snapshot(context.Background(), adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindTask}}, func(it adapters.Item) error {
		kinds = append(kinds, it.Kind)
		return nil
	})
	if err != nil || end.Count != 2 || len(kinds) != 2 || kinds[0] != adapters.KindTask {
		t.Errorf("task-only snapshot: %v %+v %v", err, end, kinds)
	}
	stop := errors.New("stop")
	if _, err := s.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(adapters.Item) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("emit error not returned: %v", err)
	}
	raw, _ = json.Marshal(Options{CalendarDir: filepath.Join(t.TempDir(), "missing")})
	s, _ = New(adapters.Config{Options: raw})
	if _, err := s.Snapshot(context.Background(), adapters.SnapshotRequest{}, func(adapters.Item) error { return nil }); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Errorf("missing folder: %v, want invalid-config", err)
	}
	if _, err := s.Info(context.Background()); adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), "calendar_dir") {
		t.Errorf("Info on missing folder: %v", err)
	}
}

func TestVersionChangesWithContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ics")
	write := func(summary string) {
		data := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T100000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	v1 := snapshotDir(t, Options{CalendarDir: dir}, "")["calendar/a.ics"].Version
	write("two") // same second, same size: only the content differs
	v2 := snapshotDir(t, Options{CalendarDir: dir}, "")["calendar/a.ics"].Version
	if v1 == "" || v1 == v2 {
		t.Errorf("versions %q and %q", v1, v2)
	}
}

func TestMaildirIDsSurviveFlagChanges(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o755)
	}
	msg := []byte("Message-ID: <x@example.org>\r\nFrom: a@example.org\r\nSubject: s\r\n\r\nbody\r\n")
	os.WriteFile(filepath.Join(dir, "new", "123.M1.host"), msg, 0o644)
	os.WriteFile(filepath.Join(dir, "tmp", "124.M1.host"), msg, 0o644) // being delivered: not read
	first := snapshotDir(t, Options{MailDir: dir}, "")
	os.Rename(filepath.Join(dir, "new", "123.M1.host"), filepath.Join(dir, "cur", "123.M1.host:2,S"))
	second := snapshotDir(t, Options{MailDir: dir}, "")
	if len(first) != 1 || len(second) != 1 || first["mail/123.M1.host"].Key != "mid:x@example.org" || second["mail/123.M1.host"].Key != "mid:x@example.org" {
		t.Errorf("first %v second %v", first, second)
	}
}

func TestNewOptions(t *testing.T) {
	cases := []struct {
		opts, tz, want string
	}{
		{`{}`, "", "calendar_dir or mail_dir"},
		{`{"calendar_dir":"x","colour":"red"}`, "", "colour"},
		{`{"calendar_dir":"x"}`, "Mars/Olympus", "time zone"},
	}
	for _, c := range cases {
		_, err := adapters.NewSource("files", adapters.Config{Options: json.RawMessage(c.opts), TimeZone: c.tz})
		if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want invalid-config naming %q", c.opts, err, c.want)
		}
	}
	s, err := New(adapters.Config{Options: json.RawMessage(`{"calendar_dir":"does/not/exist/yet"}`)})
	if err != nil || s.opts.ExportDir != "does/not/exist/yet" {
		t.Errorf("constructor must not touch the disk and must default export_dir: %v %+v", err, s)
	}
}
