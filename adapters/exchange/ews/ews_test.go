package ews_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews"
	"github.com/gwsync/gwsync/adapters/exchange/ews/ewsfake"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
	"github.com/gwsync/gwsync/conformance"
)

var samples = filepath.Join("..", "..", "..", "testdata", "exchange", "ews")

// fastRetry and fastResume keep fault tests quick; BackOffMilliseconds is
// still honoured as sent.
var (
	fastRetry  = xchg.Retry{Attempts: 3, BaseDelay: 5 * time.Millisecond, MaxWait: 5 * time.Second}
	fastResume = xchg.Resume{Rounds: 2, Delay: 10 * time.Millisecond}
)

func newSource(t *testing.T, fake *ewsfake.Server, change func(*ews.Config)) *ews.Source {
	t.Helper()
	cfg := ews.Config{URL: fake.URL(), Username: ewsfake.Username, Password: ewsfake.Password, Mailbox: ewsfake.Mailbox,
		Retry: fastRetry, Resume: fastResume}
	if change != nil {
		change(&cfg)
	}
	src, err := ews.New(cfg)
	if err != nil {
		t.Fatalf("ews.New: %v", err)
	}
	return src
}

func seeded(t *testing.T) (*ewsfake.Server, *ews.Source) {
	fake := ewsfake.New(t)
	fake.SeedItems("Import Folder", conformance.StandardFixture().Items)
	return fake, newSource(t, fake, nil)
}

func snapshot(t *testing.T, src adapters.Source, req adapters.SnapshotRequest) ([]adapters.Item, adapters.SnapshotEnd, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var items []adapters.Item
	end, err := src.Snapshot(ctx, req, func(it adapters.Item) error {
		items = append(items, it)
		return nil
	})
	return items, end, err
}

func mustSnapshot(t *testing.T, src adapters.Source, req adapters.SnapshotRequest) ([]adapters.Item, adapters.SnapshotEnd) {
	t.Helper()
	items, end, err := snapshot(t, src, req)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return items, end
}

func byKey(items []adapters.Item, key string) adapters.Item {
	for _, it := range items {
		if it.Key == key {
			return it
		}
	}
	return adapters.Item{}
}

func byID(items []adapters.Item) map[string]adapters.Item {
	m := map[string]adapters.Item{}
	for _, it := range items {
		m[it.ID] = it
	}
	return m
}

func requireCode(t *testing.T, what string, err error, code adapters.Code) {
	t.Helper()
	if got := adapters.CodeOf(err); err == nil || got != code {
		t.Fatalf("%s: error %v (code %s), want code %s", what, err, got, code)
	}
}

func hasWarning(it adapters.Item, part string) bool {
	for _, w := range it.Warnings {
		if strings.Contains(w, part) {
			return true
		}
	}
	return false
}

// TestIncrementalSync: sync states bring only changes: an edited calendar
// item, a deleted message as a tombstone, a new task; then nothing.
func TestIncrementalSync(t *testing.T) {
	fake, src := seeded(t)
	full, end := mustSnapshot(t, src, adapters.SnapshotRequest{})
	if len(full) != 6 || !end.Complete {
		t.Fatalf("full sync: %d items complete %v", len(full), end.Complete)
	}
	review := byKey(full, "ical:review-2026@gwsync.test")
	contract := byKey(full, "mid:contract-1@mail.example.com")
	fake.Update(strings.TrimPrefix(review.ID, "event:"), func(it *ewsfake.Item) { it.Subject = "Quarterly review (moved room)" })
	fake.Delete(strings.TrimPrefix(contract.ID, "message:"))
	fake.Add(ewsfake.Item{Class: "Task", Folder: "tasks", Subject: "Buy toner", Due: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)})

	changes, end2 := mustSnapshot(t, src, adapters.SnapshotRequest{Cursor: end.Cursor})
	if end2.Complete || len(changes) != 3 {
		t.Fatalf("incremental sync: %d items complete %v, want 3 and false", len(changes), end2.Complete)
	}
	got := byID(changes)
	if e := got[review.ID]; e.Subject != "Quarterly review (moved room)" || e.Version == review.Version {
		t.Errorf("edited item: %+v", e)
	}
	if m := got[contract.ID]; !m.Deleted {
		t.Errorf("deleted message: %+v, want a tombstone", m)
	}
	if again, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Cursor: end2.Cursor}); len(again) != 0 {
		t.Errorf("third sync brought %d items", len(again))
	}
}

// TestInvalidSyncState: ErrorInvalidSyncStateData is CursorInvalid.
func TestInvalidSyncState(t *testing.T) {
	fake, src := seeded(t)
	_, end := mustSnapshot(t, src, adapters.SnapshotRequest{})
	fake.InvalidateSyncStates()
	_, _, err := snapshot(t, src, adapters.SnapshotRequest{Cursor: end.Cursor})
	requireCode(t, "sync with an invalid state", err, adapters.CodeCursorInvalid)
	if items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{}); len(items) != 6 {
		t.Errorf("full sync afterwards: %d items", len(items))
	}
}

// TestServerBusy: ErrorServerBusy waits BackOffMilliseconds and retries
// the same operation; past the attempts it is Temporary.
func TestServerBusy(t *testing.T) {
	fake, src := seeded(t)
	fake.ServerBusy(1, 300)
	start := time.Now()
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindEvent}})
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("snapshot took %v after ErrorServerBusy with BackOffMilliseconds 300", waited)
	}
	if len(items) != 3 {
		t.Errorf("%d events, want 3", len(items))
	}
	if ops := fake.Operations(); len(ops) < 2 || ops[0] != "SyncFolderItems" || ops[1] != "SyncFolderItems" {
		t.Errorf("operations %v, want the busy SyncFolderItems repeated", ops)
	}
	fake.ServerBusy(3, 1) // as many as the attempts
	_, _, err := snapshot(t, src, adapters.SnapshotRequest{})
	requireCode(t, "snapshot while the server stays busy", err, adapters.CodeTemporary)
	fake.FailNext(2, 503)
	if _, _, err := snapshot(t, src, adapters.SnapshotRequest{}); err != nil {
		t.Errorf("snapshot after two 503s: %v", err)
	}
}

// TestAuthErrors: a wrong password is Unauthorized naming the account; a
// missing URL or password and an unknown auth are InvalidConfig.
func TestAuthErrors(t *testing.T) {
	fake, _ := seeded(t)
	src := newSource(t, fake, func(c *ews.Config) { c.Password = "wrong" })
	_, err := src.Info(t.Context())
	requireCode(t, "Info with a wrong password", err, adapters.CodeUnauthorized)
	if !strings.Contains(err.Error(), ewsfake.Mailbox) {
		t.Errorf("error %q does not name the mailbox", err)
	}
	other := newSource(t, fake, func(c *ews.Config) { c.Mailbox = "mallory@contoso.example" })
	_, err = other.Info(t.Context())
	requireCode(t, "impersonating a user without the right", err, adapters.CodeUnauthorized)
	for name, change := range map[string]func(*ews.Config){
		"kerberos": func(c *ews.Config) { c.Auth = "kerberos" },
		"no url":   func(c *ews.Config) { c.URL = "" },
		"ftp":      func(c *ews.Config) { c.URL = "ftp://mail.example.com/EWS/Exchange.asmx" },
		"no user":  func(c *ews.Config) { c.Username = "" },
	} {
		cfg := ews.Config{URL: fake.URL(), Username: "u", Password: "p"}
		change(&cfg)
		_, err := ews.New(cfg)
		requireCode(t, name, err, adapters.CodeInvalidConfig)
	}
	// No password is a valid config (the CLI and the web client ask for
	// it); unasked, the first call fails naming what is missing.
	nopw, err := ews.New(ews.Config{URL: fake.URL(), Username: "u"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = nopw.Info(t.Context())
	requireCode(t, "no password", err, adapters.CodeUnauthorized)
	if !strings.Contains(err.Error(), "user u needs a password (password or password_file)") {
		t.Errorf("no password: %v", err)
	}
}

// TestBadInput serves documented-shape samples with bad or odd content.
func TestBadInput(t *testing.T) {
	fake := ewsfake.New(t)
	folder := fake.AddFolder("Import Folder")
	for file, where := range map[string][2]string{
		"calendaritem-allday-berlin.xml": {"calendar", "CalendarItem"},
		"calendaritem-unknown-zone.xml":  {"calendar", "CalendarItem"},
		"calendaritem-no-start.xml":      {"calendar", "CalendarItem"},
		"message-html-no-id.xml":         {folder, "Message"},
	} {
		raw, err := os.ReadFile(filepath.Join(samples, file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.AddRaw(where[0], where[1], string(raw)); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	src := newSource(t, fake, nil)
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{})
	got := byID(items)
	if len(items) != 4 {
		t.Fatalf("%d items, want 4", len(items))
	}
	allDay := got["event:AAMkADews-allday"]
	want := adapters.Raster{Start: time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 2, 5, 0, 0, 0, 0, time.UTC), AllDay: true}
	if !allDay.Raster.Equal(want) || allDay.Busy != adapters.BusyOutOfOffice || len(allDay.Attendees) != 0 {
		t.Errorf("all-day Berlin item: %v busy %q attendees %v, want %v oof none", allDay.Raster, allDay.Busy, allDay.Attendees, want)
	}
	if !strings.Contains(allDay.Body, "Hall 3") || !strings.Contains(allDay.Body, "- badge") {
		t.Errorf("HTML body converted to %q", allDay.Body)
	}
	odd := got["event:AAMkADews-oddzone"]
	if odd.Busy != adapters.BusyUnknown || !hasWarning(odd, "ExtremelyBusy") || !hasWarning(odd, "Mars Standard Time") || !odd.Cancelled {
		t.Errorf("unknown status/zone: busy %q cancelled %v warnings %v", odd.Busy, odd.Cancelled, odd.Warnings)
	}
	if odd.Key != "ical:exchange-AAMkADews-oddzone" || len(odd.Attendees) != 1 {
		t.Errorf("item without UID: key %q attendees %v", odd.Key, odd.Attendees)
	}
	if u := got["event:AAMkADews-nostart"]; u.Unreadable == "" {
		t.Errorf("item without Start: %+v, want unreadable", u)
	}
	msg := got["message:AAMkADews-htmlmsg"]
	if !strings.HasPrefix(msg.Key, "mid-synth:") || msg.From != "news@contoso.example" || !strings.Contains(msg.Body, "First&second\nline") || !hasWarning(msg, "attachments") {
		t.Errorf("HTML message without Message-ID: key %q from %q body %q warnings %v", msg.Key, msg.From, msg.Body, msg.Warnings)
	}
}

// TestWriteBack: UpdateItem carries the ChangeKey; an edit in Outlook
// meanwhile is a per-item Conflict; messages are InvalidItem.
func TestWriteBack(t *testing.T) {
	fake, src := seeded(t)
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{})
	ev := byKey(items, "ical:dentist-2026@gwsync.test")
	task := byKey(items, "ical:report-2026@gwsync.test")
	msg := byKey(items, "mid:contract-2@mail.example.com")
	fake.Update(strings.TrimPrefix(ev.ID, "event:"), func(it *ewsfake.Item) { it.Location = "Dr. Who" })
	moved := adapters.Raster{Due: task.Raster.Due.Add(48 * time.Hour)}
	res, err := src.PutTimes(t.Context(), []adapters.TimeChange{
		{ID: ev.ID, IfVersion: ev.Version, Raster: adapters.Raster{Start: ev.Raster.Start.Add(time.Hour), End: ev.Raster.End.Add(time.Hour)}},
		{ID: task.ID, IfVersion: task.Version, Raster: moved},
		{ID: msg.ID, Raster: moved},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, "PutTimes after an Outlook edit", res[0].Err, adapters.CodeConflict)
	if res[1].Err != nil || res[1].Version == "" {
		t.Errorf("task PutTimes: %+v", res[1])
	}
	requireCode(t, "PutTimes on a message", res[2].Err, adapters.CodeInvalidItem)
	stored, _ := fake.Get(strings.TrimPrefix(ev.ID, "event:"))
	if !stored.Start.Equal(ev.Raster.Start) {
		t.Errorf("conflicting write changed the start to %v", stored.Start)
	}
	if st, _ := fake.Get(strings.TrimPrefix(task.ID, "task:")); !st.Due.Equal(moved.Due) {
		t.Errorf("task due %v, want %v", st.Due, moved.Due)
	}
}

// TestInterruptedSyncResumes: a SyncFolderItems page that fails past the
// retries is asked for again with the last good sync state; the folder is
// not synced again from the start and every item arrives exactly once.
func TestInterruptedSyncResumes(t *testing.T) {
	fake, src := seeded(t)
	fake.SetPageSize(1)
	seen := map[string]int{}
	_, err := src.Snapshot(t.Context(), adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindEvent}}, func(it adapters.Item) error {
		if len(seen) == 0 {
			// Page 2 fails every attempt of the first try and once more.
			fake.FailNext(fastRetry.Attempts+1, 503)
		}
		seen[it.ID]++
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot with page 2 failing %d times: %v", fastRetry.Attempts+1, err)
	}
	if len(seen) != 3 {
		t.Errorf("events %v, want 3", seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s emitted %d times", id, n)
		}
	}
	byState := map[string]int{}
	var order []string
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r, "SyncFolderItems") {
			if byState[r] == 0 {
				order = append(order, r)
			}
			byState[r]++
		}
	}
	if len(order) != 3 || order[0] != "SyncFolderItems calendar state=" || byState[order[0]] != 1 {
		t.Fatalf("SyncFolderItems requests %v, want the first page once and three pages", fake.Requests())
	}
	if n, want := byState[order[1]], fastRetry.Attempts+2; n != want {
		t.Errorf("page 2 (%s) sent %d times, want %d: resumed from its sync state", order[1], n, want)
	}
}
