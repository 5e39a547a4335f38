package sqlite

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

func TestLinkRoundTripKeepsEveryField(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
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
			UpdatedAt: mustTime(t, "2025-04-01T10:00:00Z"),
		},
		{ // all-day event
			User: "ann", Source: "cal", ItemID: "ev-2.ics", Key: "ical:uid-2/20250101", Kind: adapters.KindEvent,
			ActivityID: "A2",
			Base: adapters.Raster{
				Start: mustTime(t, "2025-01-01T00:00:00Z"), End: mustTime(t, "2025-01-03T00:00:00Z"), AllDay: true,
			},
			UpdatedAt: mustTime(t, "2025-04-01T10:00:01Z"),
		},
		{ // task with only a due time
			User: "ann", Source: "tasks", ItemID: "t-1", Key: "ical:task-1", Kind: adapters.KindTask,
			ActivityID: "A3", Base: adapters.Raster{Due: mustTime(t, "2025-05-05T17:00:00Z")},
			UpdatedAt:   mustTime(t, "2025-04-01T10:00:02Z"),
			PendingSide: state.SideGroupware, // a write-back under way
			Pending:     adapters.Raster{Due: mustTime(t, "2025-05-06T17:00:00Z"), AllDay: true},
		},
		{ // message: no times at all, no versions
			User: "ann", Source: "imap", ItemID: "INBOX/42", Key: "mid:<x@y>", Kind: adapters.KindMessage,
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
	if len(got) != 4 {
		t.Fatalf("ann has %d links, want 4: %v", len(got), got)
	}
	for _, want := range links[:4] {
		want.Base = want.Base.Normalized() // stored in UTC to the second
		want.Pending = want.Pending.Normalized()
		g := got[want.Source+"/"+want.ItemID]
		if !reflect.DeepEqual(g, want) {
			t.Errorf("round trip of %s/%s:\n got %+v\nwant %+v", want.Source, want.ItemID, g, want)
		}
	}
	if s := got["cal/ev-1.ics"].Base.Start.String(); s != "2025-03-30 00:30:00 +0000 UTC" {
		t.Errorf("zoned start stored as %s, want the same instant in UTC", s)
	}
	if n := len(collectLinks(t, s, "bob")); n != 1 {
		t.Errorf("bob has %d links, want 1", n)
	}
}

func TestPutLinksReplacesAndStampsUpdatedAt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := mustTime(t, "2025-06-01T12:00:00Z")
	fixedClock(s, now)
	l := state.Link{User: "u", Source: "s", ItemID: "i", Kind: adapters.KindTask, ActivityID: "A1", ItemVersion: "v1"}
	if err := s.PutLinks(ctx, []state.Link{l}); err != nil {
		t.Fatal(err)
	}
	l.ActivityID, l.ItemVersion = "A2", "v2"
	l2 := l
	l2.ItemVersion = "v3" // same key later in the batch wins
	if err := s.PutLinks(ctx, []state.Link{l, l2}); err != nil {
		t.Fatal(err)
	}
	got := collectLinks(t, s, "u")
	if len(got) != 1 {
		t.Fatalf("%d links, want 1 (upsert)", len(got))
	}
	g := got["s/i"]
	if g.ActivityID != "A2" || g.ItemVersion != "v3" || !g.UpdatedAt.Equal(now) {
		t.Errorf("after replace: %+v; want A2, v3, updated %v", g, now)
	}
}

func TestPutLinksIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	good := func(i int) state.Link {
		return state.Link{User: "u", Source: "s", ItemID: fmt.Sprintf("item-%d", i), Kind: adapters.KindEvent, ActivityID: "A"}
	}
	if err := s.PutLinks(ctx, []state.Link{good(0)}); err != nil {
		t.Fatal(err)
	}
	// A statement-level failure after validation: the database refuses one
	// item, as a full disk or a constraint would.
	if _, err := s.writer.Exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON links WHEN NEW.item_id = 'boom'
		BEGIN SELECT RAISE(ABORT, 'boom refused'); END`); err != nil {
		t.Fatal(err)
	}
	const size, badAt = 3 * linksPerInsert, 2*linksPerInsert + 5 // earlier chunks are already executed
	bad := []struct {
		name string
		mod  func(*state.Link)
		want string
	}{
		{"empty user", func(l *state.Link) { l.User = "" }, fmt.Sprintf("link %d of %d", badAt+1, size)},
		{"empty item", func(l *state.Link) { l.ItemID = "" }, "empty item id"},
		{"empty activity", func(l *state.Link) { l.ActivityID = "" }, "empty activity id"},
		{"bad kind", func(l *state.Link) { l.Kind = "memo" }, `unknown kind "memo"`},
		{"year 10000", func(l *state.Link) { l.Base.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside years"},
		{"refused by the database", func(l *state.Link) { l.ItemID = "boom" }, "boom refused"},
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

func TestPutLinksWritesBatchesOfEverySize(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	total := 0
	for _, n := range []int{1, linksPerInsert - 1, linksPerInsert, linksPerInsert + 1, 3*linksPerInsert + 7} {
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
}

func TestPutLinksHonoursCancelledContext(t *testing.T) {
	s := openTest(t)
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

func TestDeleteLink(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	links := []state.Link{
		{User: "u", Source: "s", ItemID: "keep", Kind: adapters.KindTask, ActivityID: "A"},
		{User: "u", Source: "s", ItemID: "drop", Kind: adapters.KindTask, ActivityID: "B"},
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
}

func TestLinksStopsOnCallbackErrorAndAllowsWritesFromCallback(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var batch []state.Link
	for i := range 50 {
		batch = append(batch, state.Link{User: "u", Source: "s", ItemID: fmt.Sprint(i), Kind: adapters.KindTask, ActivityID: "A"})
	}
	if err := s.PutLinks(ctx, batch); err != nil {
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
	err = s.Links(ctx, "u", func(l state.Link) error {
		l.ActivityVersion = "seen"
		return s.PutLinks(ctx, []state.Link{l})
	})
	if err != nil {
		t.Fatalf("writing from inside a walk: %v", err)
	}
	for k, l := range collectLinks(t, s, "u") {
		if l.ActivityVersion != "seen" {
			t.Errorf("%s not updated from the walk", k)
		}
	}
}

func TestLinksReportsAnUnreadableRow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.PutLinks(ctx, []state.Link{{User: "u", Source: "s", ItemID: "bad", Kind: adapters.KindTask, ActivityID: "A"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`UPDATE links SET base_due = 'next tuesday' WHERE item_id = 'bad'`); err != nil {
		t.Fatal(err)
	}
	err := s.Links(ctx, "u", func(state.Link) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), "base_due") {
		t.Errorf("Links over a corrupt row = %v; want an error naming the item and column", err)
	}
}
