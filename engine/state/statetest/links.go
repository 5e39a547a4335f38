package statetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// batchOf is n event links of a user, item ids "PREFIX-0", "PREFIX-1", ...
func batchOf(user, prefix string, n int) []state.Link {
	out := make([]state.Link, n)
	for i := range out {
		out[i] = state.Link{User: user, Source: "s", ItemID: fmt.Sprintf("%s-%d", prefix, i), Kind: adapters.KindEvent, ActivityID: "A"}
	}
	return out
}

func testLinkRoundTrip(t *testing.T, s state.Store) {
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	links := []state.Link{
		{ // timed event written in another zone, with sub-second noise
			User: "ann", Source: "cal", ItemID: "ev-1.ics", Key: "ical:uid-1", Kind: adapters.KindEvent,
			ActivityID: "A1", ItemVersion: `"etag-1"`, ActivityVersion: "7",
			Base: adapters.Raster{
				Start:    time.Date(2025, 3, 30, 1, 30, 0, 999_000_000, berlin),
				End:      time.Date(2025, 3, 30, 3, 30, 0, 0, berlin),
				TimeZone: "Europe/Berlin",
			},
			UpdatedAt: mustTime(t, "2025-04-01T10:00:00.75Z"),
		},
		{ // all-day event
			User: "ann", Source: "cal", ItemID: "ev-2.ics", Key: "ical:uid-2/20250101", Kind: adapters.KindEvent,
			ActivityID: "A2",
			Base: adapters.Raster{
				Start: mustTime(t, "2025-01-01T00:00:00Z"), End: mustTime(t, "2025-01-03T00:00:00Z"), AllDay: true,
			},
			UpdatedAt: mustTime(t, "2025-04-01T10:00:01Z"),
		},
		{ // task with only a due time, a write-back under way
			User: "ann", Source: "tasks", ItemID: "t-1", Key: "ical:task-1", Kind: adapters.KindTask,
			ActivityID: "A3", Base: adapters.Raster{Due: mustTime(t, "2025-05-05T17:00:00Z")},
			UpdatedAt:   mustTime(t, "2025-04-01T10:00:02Z"),
			PendingSide: state.SideGroupware,
			Pending:     adapters.Raster{Due: mustTime(t, "2025-05-06T17:00:00Z"), AllDay: true},
		},
		{ // a CRM write under way, with a start and end
			User: "ann", Source: "cal", ItemID: "ev-3.ics", Key: "ical:uid-3", Kind: adapters.KindEvent,
			ActivityID: "A5", Base: adapters.Raster{Start: mustTime(t, "2025-02-01T08:00:00Z"), End: mustTime(t, "2025-02-01T09:00:00Z")},
			UpdatedAt:   mustTime(t, "2025-04-01T10:00:05Z"),
			PendingSide: state.SideCRM,
			Pending:     adapters.Raster{Start: mustTime(t, "2025-02-02T08:00:00Z"), End: mustTime(t, "2025-02-02T09:00:00Z")},
		},
		{ // message: no times at all, no versions, odd characters in ids
			User: "ann", Source: "imap", ItemID: "Import Folder/42 ü'\"", Key: "mid:<x@y>", Kind: adapters.KindMessage,
			ActivityID: "A4", UpdatedAt: mustTime(t, "2025-04-01T10:00:03Z"),
		},
		{ // another user: must not show up in ann's walk
			User: "bob", Source: "cal", ItemID: "ev-1.ics", Key: "ical:uid-1", Kind: adapters.KindEvent,
			ActivityID: "A1", UpdatedAt: mustTime(t, "2025-04-01T10:00:04Z"),
		},
	}
	if err := s.PutLinks(ctx, links); err != nil {
		t.Fatalf("PutLinks: %v", err)
	}
	got := collectLinks(t, s, "ann")
	if len(got) != 5 {
		t.Fatalf("ann has %d links, want 5: %v", len(got), got)
	}
	for _, want := range links[:5] {
		want.Base = want.Base.Normalized() // stored in UTC to the second
		want.Pending = want.Pending.Normalized()
		want.UpdatedAt = want.UpdatedAt.UTC().Truncate(time.Second)
		g := got[want.Source+"/"+want.ItemID]
		if !reflect.DeepEqual(g, want) {
			t.Errorf("round trip of %s/%s:\n got %+v\nwant %+v", want.Source, want.ItemID, g, want)
		}
	}
	if s := got["cal/ev-1.ics"].Base.Start.String(); s != "2025-03-30 00:30:00 +0000 UTC" {
		t.Errorf("zoned start stored as %s, want the same instant in UTC to the second", s)
	}
	if n := len(collectLinks(t, s, "bob")); n != 1 {
		t.Errorf("bob has %d links, want 1", n)
	}
	if n := len(collectLinks(t, s, "nobody")); n != 0 {
		t.Errorf("a user without links has %d", n)
	}
}

func testPutLinksReplaces(t *testing.T, s state.Store) {
	ctx := context.Background()
	l := state.Link{User: "u", Source: "s", ItemID: "i", Kind: adapters.KindTask, ActivityID: "A1", ItemVersion: "v1"}
	if err := s.PutLinks(ctx, []state.Link{l}); err != nil {
		t.Fatal(err)
	}
	l.ActivityID, l.ItemVersion = "A2", "v2"
	l.PendingSide, l.Pending = state.SideCRM, adapters.Raster{Due: mustTime(t, "2025-01-01T00:00:00Z")}
	l2 := l
	l2.ItemVersion = "v3" // same key later in the batch wins
	w := openWindow()
	if err := s.PutLinks(ctx, []state.Link{l, l2}); err != nil {
		t.Fatal(err)
	}
	w = w.close()
	got := collectLinks(t, s, "u")
	if len(got) != 1 {
		t.Fatalf("%d links, want 1 (upsert)", len(got))
	}
	g := got["s/i"]
	if g.ActivityID != "A2" || g.ItemVersion != "v3" || g.PendingSide != state.SideCRM {
		t.Errorf("after replace: %+v; want A2, v3, pending crm", g)
	}
	w.check(t, "UpdatedAt stamped by PutLinks", g.UpdatedAt)

	// Clearing the pending write clears it.
	g.PendingSide, g.Pending = "", adapters.Raster{}
	if err := s.PutLinks(ctx, []state.Link{g}); err != nil {
		t.Fatal(err)
	}
	if g2 := collectLinks(t, s, "u")["s/i"]; g2.PendingSide != "" || !g2.Pending.Due.IsZero() || !g2.UpdatedAt.Equal(g.UpdatedAt) {
		t.Errorf("after clearing the pending write: %+v", g2)
	}
}

func testPutLinksAllOrNothing(t *testing.T, s state.Store) {
	ctx := context.Background()
	good := func(i int) state.Link {
		return state.Link{User: "u", Source: "s", ItemID: fmt.Sprintf("item-%d", i), Kind: adapters.KindEvent, ActivityID: "A"}
	}
	if err := s.PutLinks(ctx, []state.Link{good(0)}); err != nil {
		t.Fatal(err)
	}
	// Large enough that a store writing in chunks has written some before
	// it meets the bad link.
	const size, badAt = 2500, 2400
	bad := []struct {
		name string
		mod  func(*state.Link)
		want string
	}{
		{"empty user", func(l *state.Link) { l.User = "" }, fmt.Sprintf("link %d of %d", badAt+1, size)},
		{"empty source", func(l *state.Link) { l.Source = "" }, "empty source"},
		{"empty item", func(l *state.Link) { l.ItemID = "" }, "empty item id"},
		{"empty activity", func(l *state.Link) { l.ActivityID = "" }, "empty activity id"},
		{"bad kind", func(l *state.Link) { l.Kind = "memo" }, `unknown kind "memo"`},
		{"bad pending side", func(l *state.Link) { l.PendingSide = "both" }, `unknown pending side "both"`},
		{"year 10000", func(l *state.Link) { l.Base.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside years"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			batch := make([]state.Link, size)
			for i := range batch {
				batch[i] = good(i + 1)
			}
			batch[0] = good(0)
			batch[0].ActivityID = "CHANGED" // an update that must be rolled back too
			tc.mod(&batch[badAt])
			err := s.PutLinks(ctx, batch)
			if err == nil {
				t.Fatal("PutLinks accepted an invalid link")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing written") {
				t.Errorf("error %q does not say %q and nothing written", err, tc.want)
			}
			got := collectLinks(t, s, "u")
			if len(got) != 1 || got["s/item-0"].ActivityID != "A" {
				t.Errorf("after a failed batch the store holds %d links; want only the original item-0", len(got))
			}
		})
	}
}

func testPutLinksBatchSizes(t *testing.T, s state.Store) {
	ctx := context.Background()
	total := 0
	for _, n := range []int{1, 63, 64, 65, 999, 1000, 1001, 2049} {
		batch := batchOf("u", fmt.Sprintf("n%d", n), n)
		batch[n-1].ActivityID = fmt.Sprintf("last-of-%d", n)
		if err := s.PutLinks(ctx, batch); err != nil {
			t.Fatalf("batch of %d: %v", n, err)
		}
		total += n
		got := collectLinks(t, s, "u")
		if len(got) != total {
			t.Fatalf("after a batch of %d: %d links, want %d", n, len(got), total)
		}
		if l := got[fmt.Sprintf("s/n%d-%d", n, n-1)]; l.ActivityID != fmt.Sprintf("last-of-%d", n) {
			t.Errorf("batch of %d: last link stored as %+v", n, l)
		}
	}
	if err := s.PutLinks(ctx, nil); err != nil {
		t.Errorf("PutLinks(nil) = %v", err)
	}
}

func testPutLinksCancelled(t *testing.T, s state.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.PutLinks(ctx, []state.Link{{User: "u", Source: "s", ItemID: "i", Kind: adapters.KindTask, ActivityID: "A"}})
	if err == nil {
		t.Fatal("PutLinks with a cancelled context succeeded")
	}
	if n := len(collectLinks(t, s, "u")); n != 0 {
		t.Errorf("%d links written with a cancelled context", n)
	}
}

func testDeleteLink(t *testing.T, s state.Store) {
	ctx := context.Background()
	links := []state.Link{
		{User: "u", Source: "s", ItemID: "keep", Kind: adapters.KindTask, ActivityID: "A"},
		{User: "u", Source: "s", ItemID: "drop", Kind: adapters.KindTask, ActivityID: "B"},
		{User: "v", Source: "s", ItemID: "drop", Kind: adapters.KindTask, ActivityID: "B"},
	}
	if err := s.PutLinks(ctx, links); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLink(ctx, "u", "s", "drop"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLink(ctx, "u", "s", "never-existed"); err != nil {
		t.Errorf("deleting a missing link: %v, want nil", err)
	}
	got := collectLinks(t, s, "u")
	if _, ok := got["s/keep"]; len(got) != 1 || !ok {
		t.Errorf("after delete: %v, want only keep", got)
	}
	if n := len(collectLinks(t, s, "v")); n != 1 {
		t.Errorf("deleting u's link removed v's: v has %d links", n)
	}
}

func testLinksCallback(t *testing.T, s state.Store) {
	ctx := context.Background()
	const n = 2100 // more than one page of a store that reads in pages
	if err := s.PutLinks(ctx, batchOf("u", "i", n)); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err := s.Links(ctx, "u", func(state.Link) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("Links = %v after %d calls, want the callback's error after 3", err, calls)
	}

	// The engine updates links while it walks them.
	seen := map[string]bool{}
	err = s.Links(ctx, "u", func(l state.Link) error {
		if seen[l.ItemID] {
			return fmt.Errorf("link %s visited twice", l.ItemID)
		}
		seen[l.ItemID] = true
		l.ActivityVersion = "seen"
		return s.PutLinks(ctx, []state.Link{l})
	})
	if err != nil {
		t.Fatalf("writing from inside a walk: %v", err)
	}
	if len(seen) != n {
		t.Errorf("walk visited %d links, want %d", len(seen), n)
	}
	for k, l := range collectLinks(t, s, "u") {
		if l.ActivityVersion != "seen" {
			t.Errorf("%s not updated from the walk", k)
		}
	}
}

func testCursors(t *testing.T, s state.Store) {
	ctx := context.Background()
	if c, err := s.Cursor(ctx, "u", "cal"); err != nil || c != "" {
		t.Fatalf("cursor before any set = %q, %v; want \"\"", c, err)
	}
	for _, step := range []struct{ user, source, cursor string }{
		{"u", "cal", "sync-token-1"},
		{"u", "cal", "sync-token-2"}, // replaces
		{"u", "imap", "uidvalidity=1;modseq=9"},
		{"v", "cal", "other-user"},
	} {
		if err := s.SetCursor(ctx, step.user, step.source, step.cursor); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := s.Cursor(ctx, "u", "cal"); c != "sync-token-2" {
		t.Errorf("cursor u/cal = %q, want sync-token-2", c)
	}
	got, err := s.Cursors(ctx, "u")
	want := map[string]string{"cal": "sync-token-2", "imap": "uidvalidity=1;modseq=9"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Cursors(u) = %v, %v; want %v", got, err, want)
	}
	if err := s.SetCursor(ctx, "u", "cal", ""); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Cursor(ctx, "u", "cal"); err != nil || c != "" {
		t.Errorf("cleared cursor = %q, %v; want \"\"", c, err)
	}
	if err := s.SetCursor(ctx, "u", "never-set", ""); err != nil {
		t.Errorf("clearing a cursor never set: %v", err)
	}
	got, _ = s.Cursors(ctx, "u")
	if !reflect.DeepEqual(got, map[string]string{"imap": "uidvalidity=1;modseq=9"}) {
		t.Errorf("Cursors(u) after clear = %v", got)
	}
	if c, _ := s.Cursor(ctx, "v", "cal"); c != "other-user" {
		t.Errorf("v's cursor = %q after u's changes", c)
	}
	if got, err := s.Cursors(ctx, "nobody"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Cursors(nobody) = %#v, %v; want an empty map", got, err)
	}
	if err := s.SetCursor(ctx, "", "cal", "x"); err == nil {
		t.Error("SetCursor with an empty user succeeded")
	}
	if err := s.SetCursor(ctx, "u", "", "x"); err == nil {
		t.Error("SetCursor with an empty source succeeded")
	}
}
