package graph_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

var samples = filepath.Join("..", "..", "..", "testdata", "exchange", "graph")

// TestBadInput reads the canned bad-input samples through the fake: each
// is imported as well as it can be, with warnings, or reported unreadable
// with its id and reason; nothing stops the snapshot.
func TestBadInput(t *testing.T) {
	fake := graphfake.New(t)
	folder := fake.AddFolder("Import Folder")
	if _, err := fake.AddSamples(adapters.KindEvent, "", filepath.Join(samples, "events-bad-input.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.AddSamples(adapters.KindMessage, folder, filepath.Join(samples, "messages-bad-input.json")); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("é", mailmsg.MaxBodyBytes) // 2 MiB of UTF-8
	fake.AddMessage(folder, map[string]any{"id": "AAMkAGmsg-huge", "internetMessageId": "<huge@contoso.example>",
		"subject": "Huge", "sentDateTime": "2026-11-22T08:00:00Z", "body": map[string]any{"contentType": "text", "content": huge}})
	src := newSource(t, fake, nil)
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Window: adapters.Window{
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}})
	got := byID(items)
	if len(items) != 8 {
		var ids []string
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		t.Fatalf("%d items, want 8: %v", len(items), ids)
	}

	allDay := got["event:AAMkAGbad-allday"]
	wantAllDay := adapters.Raster{Start: time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 2, 5, 0, 0, 0, 0, time.UTC), AllDay: true}
	if !allDay.Raster.Equal(wantAllDay) || allDay.Busy != adapters.BusyOutOfOffice {
		t.Errorf("all-day event in a Windows zone: %v busy %q, want %v oof", allDay.Raster, allDay.Busy, wantAllDay)
	}
	if len(allDay.Attendees) != 0 || allDay.From != "alice@contoso.example" {
		t.Errorf("organizer listed as attendee must not count: from %q attendees %v", allDay.From, allDay.Attendees)
	}
	if !strings.Contains(allDay.Body, "Hall 3") || !strings.Contains(allDay.Body, "- badge") || strings.Contains(allDay.Body, "color") {
		t.Errorf("HTML body converted to %q", allDay.Body)
	}

	odd := got["event:AAMkAGbad-unknown-showas"]
	if odd.Busy != adapters.BusyUnknown || !hasWarning(odd, `"extremelyBusy"`) || !hasWarning(odd, `"Mars Standard Time"`) {
		t.Errorf("unknown showAs / zone: busy %q warnings %v", odd.Busy, odd.Warnings)
	}
	if !odd.Raster.Start.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("unknown zone not read as UTC: %v", odd.Raster)
	}
	if len(odd.Attendees) != 1 || odd.Attendees[0] != "alice@contoso.example" {
		t.Errorf("attendees %v, want alice only (the room is a resource)", odd.Attendees)
	}

	noUID := got["event:AAMkAGbad-no-uid"]
	if noUID.Key != "ical:exchange-AAMkAGbad-no-uid" || !noUID.Cancelled || noUID.Busy != adapters.BusyWorkingElsewhere || !hasWarning(noUID, "iCalUId") {
		t.Errorf("event without iCalUId: %+v", noUID)
	}
	if noUID.Raster.TimeZone != "America/Los_Angeles" {
		t.Errorf("originalStartTimeZone Pacific Standard Time gave zone %q", noUID.Raster.TimeZone)
	}

	if u := got["event:AAMkAGbad-no-start"]; u.Unreadable == "" || u.Kind != adapters.KindEvent {
		t.Errorf("event without start: %+v, want unreadable", u)
	}
	if occ := got["event:AAMkAGbad-occurrence"]; occ.Key != "ical:040000008200E00074C5B7101A82E00800000000B0A5/20261207T080000Z" || occ.Busy != adapters.BusyTentative {
		t.Errorf("occurrence: key %q busy %q", occ.Key, occ.Busy)
	}

	html := got["message:AAMkAGmsg-html"]
	if html.Key != "mid:DB6PR0802MB2214.html-only@contoso.example" || html.From != "news@contoso.example" {
		t.Errorf("HTML message key %q from %q", html.Key, html.From)
	}
	if !strings.Contains(html.Body, "First&second\nline") || strings.Contains(html.Body, "<") || strings.Contains(html.Body, "alert") {
		t.Errorf("HTML-only body converted to %q", html.Body)
	}
	if !hasWarning(html, "attachments") {
		t.Errorf("attachments not mentioned: %v", html.Warnings)
	}

	bare := got["message:AAMkAGmsg-bare"]
	if !strings.HasPrefix(bare.Key, "mid-synth:") || !hasWarning(bare, "no sender") || !bare.Date.Equal(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("bare message: key %q date %v warnings %v", bare.Key, bare.Date, bare.Warnings)
	}
	again, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindMessage}})
	if k, _ := byKey(again, bare.Key); k.ID != bare.ID {
		t.Errorf("synthetic key %q not stable across snapshots", bare.Key)
	}

	big := got["message:AAMkAGmsg-huge"]
	if len(big.Body) > mailmsg.MaxBodyBytes || !hasWarning(big, "cut") || !strings.HasPrefix(big.Body, "éé") {
		t.Errorf("oversize body: %d bytes, warnings %v", len(big.Body), big.Warnings)
	}
}

// TestWriteRefusals: a message has no times; an export of a task is
// refused per item; neither stops the batch.
func TestWriteRefusals(t *testing.T) {
	_, src := seeded(t)
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{})
	msg, _ := byKey(items, "mid:contract-1@mail.example.com")
	task, _ := byKey(items, "ical:report-2026@gwsync.test")
	moved := adapters.Raster{Due: task.Raster.Due.Add(24 * time.Hour)}
	res, err := src.PutTimes(t.Context(), []adapters.TimeChange{
		{ID: msg.ID, Raster: adapters.Raster{Start: msg.Date, End: msg.Date}},
		{ID: task.ID, IfVersion: task.Version, Raster: moved},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, "PutTimes on a message", res[0].Err, adapters.CodeInvalidItem)
	if res[1].Err != nil || res[1].Version == "" || res[1].Version == task.Version {
		t.Errorf("task PutTimes: %+v", res[1])
	}
	after, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindTask}})
	if got, _ := byKey(after, task.Key); !got.Raster.Equal(moved) {
		t.Errorf("task due after PutTimes %v, want %v", got.Raster, moved)
	}

	ex, err := src.Export(t.Context(), []adapters.Activity{
		{ID: "crm-task", Type: adapters.TypeTask, Subject: "Call back", Raster: adapters.Raster{Due: time.Now()}},
		{ID: "crm-bad", Type: adapters.TypeAppointment, Subject: "No end", Raster: adapters.Raster{Start: time.Now()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, "Export of a TASK", ex[0].Err, adapters.CodeInvalidItem)
	requireCode(t, "Export without end", ex[1].Err, adapters.CodeInvalidItem)
}
