package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// A statement-level failure after validation (the database refuses one
// row, as a full disk or a constraint would) rolls back the chunks already
// executed; the validation failures are in the conformance suite.
func TestPutLinksRollsBackWhenTheDatabaseRefusesARow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	good := func(i int) state.Link {
		return state.Link{User: "u", Source: "s", ItemID: fmt.Sprintf("item-%d", i), Kind: adapters.KindEvent, ActivityID: "A"}
	}
	if err := s.PutLinks(ctx, []state.Link{good(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON links WHEN NEW.item_id = 'boom'
		BEGIN SELECT RAISE(ABORT, 'boom refused'); END`); err != nil {
		t.Fatal(err)
	}
	const size, badAt = 3 * linksPerInsert, 2*linksPerInsert + 5 // earlier chunks are already executed
	batch := make([]state.Link, size)
	for i := range batch {
		batch[i] = good(i + 1)
	}
	batch[0] = good(0)
	batch[0].ActivityID = "CHANGED" // an update that must be rolled back too
	batch[badAt].ItemID = "boom"
	err := s.PutLinks(ctx, batch)
	if err == nil || !strings.Contains(err.Error(), "boom refused") || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("PutLinks = %v; want the database's refusal and nothing written", err)
	}
	got := collectLinks(t, s, "u")
	if len(got) != 1 || got["s/item-0"].ActivityID != "A" {
		t.Errorf("after a failed batch the store holds %d links; want only the original item-0", len(got))
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
