package engine

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// cursorReads counts the store's cursor reads.
type cursorReads struct {
	state.Store
	one, all atomic.Int32
}

func (c *cursorReads) Cursor(ctx context.Context, user, source string) (string, error) {
	c.one.Add(1)
	return c.Store.Cursor(ctx, user, source)
}

func (c *cursorReads) Cursors(ctx context.Context, user string) (map[string]string, error) {
	c.all.Add(1)
	return c.Store.Cursors(ctx, user)
}

// A plan reads the user's cursors once, the CRM's change cursor and the
// source's together: a read per cursor is a round trip each to a
// database server, on every run. The cursors read are the stored ones:
// the run after a settled one is an idle check that lists nothing again.
func TestPlanReadsCursorsOnce(t *testing.T) {
	w, _, _ := changeWorld(t)
	reads := &cursorReads{Store: w.st}
	w.st = reads
	for run := range 2 {
		reads.one.Store(0)
		reads.all.Store(0)
		p, res := w.run()
		if len(p.Actions) != 0 || res.Status != state.StatusIdle || p.crm.full {
			t.Fatalf("run %d: %d actions, %s, full CRM listing %v; want an idle check by change", run, len(p.Actions), res.Status, p.crm.full)
		}
		if one, all := reads.one.Load(), reads.all.Load(); one != 0 || all != 1 {
			t.Errorf("run %d: %d reads of one cursor and %d of all; want one read of all", run, one, all)
		}
	}
}
