package statetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// testFindLinks: FindLinks returns exactly the user's links some list
// names, each once, across batch boundaries, with every field as Links
// has it; another user's links with the same names stay out.
func testFindLinks(t *testing.T, s state.Store) {
	ctx := context.Background()
	n := 2*state.LinkLookupBatch + 7
	var links []state.Link
	for i := range n {
		links = append(links, state.Link{User: "u", Source: "s", ItemID: fmt.Sprintf("i%d", i), Key: fmt.Sprintf("k%d", i),
			Kind: adapters.KindEvent, ActivityID: fmt.Sprintf("A%d", i), ItemVersion: "v",
			Base: adapters.Raster{Start: mustTime(t, "2026-01-02T09:00:00Z"), End: mustTime(t, "2026-01-02T10:00:00Z")}})
	}
	links = append(links, state.Link{User: "other", Source: "s", ItemID: "i1", Key: "k2", Kind: adapters.KindEvent, ActivityID: "A3"})
	if err := s.PutLinks(ctx, links); err != nil {
		t.Fatal(err)
	}
	want := collectLinks(t, s, "u")
	find := func(q state.LinkQuery) []string {
		t.Helper()
		var got []string
		if err := s.FindLinks(ctx, "u", q, func(l state.Link) error {
			if w := want[l.Source+"/"+l.ItemID]; fmt.Sprint(w) != fmt.Sprint(l) {
				t.Errorf("FindLinks gave %+v, Links has %+v", l, w)
			}
			got = append(got, l.ItemID)
			return nil
		}); err != nil {
			t.Fatalf("FindLinks(%+v): %v", q, err)
		}
		slices.Sort(got)
		return got
	}
	var items []state.ItemRef
	for i := range n {
		if i%2 == 0 {
			items = append(items, state.ItemRef{Source: "s", ItemID: fmt.Sprintf("i%d", i)})
		}
	}
	items = append(items, state.ItemRef{Source: "s", ItemID: "missing"}, state.ItemRef{Source: "t", ItemID: "i1"})
	if got := find(state.LinkQuery{Items: items}); len(got) != (n+1)/2 {
		t.Errorf("by %d items: %d links, want %d", len(items), len(got), (n+1)/2)
	}
	got := find(state.LinkQuery{Items: []state.ItemRef{{Source: "s", ItemID: "i1"}}, Keys: []string{"k1", "k2", "nope"}, ActivityIDs: []string{"A3", "A1"}})
	if fmt.Sprint(got) != "[i1 i2 i3]" {
		t.Errorf("by item, keys and activities = %v, want [i1 i2 i3], each once", got)
	}
	var keys []string
	for i := range n {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	if got := find(state.LinkQuery{Keys: keys}); len(got) != n {
		t.Errorf("by %d keys: %d links", n, len(got))
	}
	if got := find(state.LinkQuery{}); len(got) != 0 {
		t.Errorf("empty query found %v", got)
	}
	stop := errors.New("stop")
	calls := 0
	err := s.FindLinks(ctx, "u", state.LinkQuery{Keys: keys}, func(state.Link) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: err %v after %d calls, want stop after 1", err, calls)
	}
}
