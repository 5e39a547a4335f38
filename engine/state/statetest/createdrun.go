package statetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// testCreatedRun: a link's CreatedRun reads back as written, a later
// write with 0 (a time update, which does not know it) keeps it, another
// run's value replaces it, and CreatedBy finds exactly the links of a run
// across users and sources; 0 finds nothing.
func testCreatedRun(t *testing.T, s state.Store) {
	ctx := context.Background()
	link := func(user, source, item string, run int64) state.Link {
		return state.Link{User: user, Source: source, ItemID: item, Kind: adapters.KindMessage,
			ActivityID: "A-" + user + source + item, CreatedRun: run}
	}
	if err := s.PutLinks(ctx, []state.Link{link("u", "s", "a", 7), link("u", "t", "b", 7), link("v", "s", "c", 7),
		link("u", "s", "d", 8), link("u", "s", "e", 0)}); err != nil {
		t.Fatal(err)
	}
	if got := collectLinks(t, s, "u")["s/a"].CreatedRun; got != 7 {
		t.Errorf("CreatedRun read back = %d, want 7", got)
	}
	// A later write of the link that does not carry the run keeps it.
	later := link("u", "s", "a", 0)
	later.ItemVersion = "v2"
	if err := s.PutLinks(ctx, []state.Link{later}); err != nil {
		t.Fatal(err)
	}
	if l := collectLinks(t, s, "u")["s/a"]; l.CreatedRun != 7 || l.ItemVersion != "v2" {
		t.Errorf("after a write with CreatedRun 0: %+v, want CreatedRun 7 kept and version v2", l)
	}
	created := func(run int64) string {
		t.Helper()
		refs, err := s.CreatedBy(ctx, run)
		if err != nil {
			t.Fatalf("CreatedBy(%d): %v", run, err)
		}
		var names []string
		for _, r := range refs {
			names = append(names, r.Source+"/"+r.ItemID)
		}
		slices.Sort(names)
		return fmt.Sprint(names)
	}
	if got := created(7); got != "[s/a s/c t/b]" {
		t.Errorf("CreatedBy(7) = %s, want [s/a s/c t/b]", got)
	}
	if got := created(8); got != "[s/d]" {
		t.Errorf("CreatedBy(8) = %s, want [s/d]", got)
	}
	if got := created(0); got != "[]" {
		t.Errorf("CreatedBy(0) = %s, want none", got)
	}
	// A create of another run (a retry after a crash) takes the link over.
	if err := s.PutLinks(ctx, []state.Link{link("u", "s", "d", 9)}); err != nil {
		t.Fatal(err)
	}
	if a, b := created(8), created(9); a != "[]" || b != "[s/d]" {
		t.Errorf("after run 9 wrote s/d with its run: CreatedBy(8) = %s, CreatedBy(9) = %s", a, b)
	}
}
