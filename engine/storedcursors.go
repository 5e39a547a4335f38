package engine

import (
	"context"
	"sync"

	"github.com/gwsync/gwsync/engine/state"
)

// storedCursors is the user's stored cursors, read once per plan with
// Store.Cursors, or with the run's lease (Job.Lock's TakeCursors): the
// CRM's change cursor and every source's come from one read, where a read
// per cursor cost a round trip each to a database server, and a
// no-change run is mostly such fixed costs. The CRM side
// and the first source ask at about the same time (overlap.go): the
// second waits for the first's read. A failed read is not kept, so the
// next asker reads again.
type storedCursors struct {
	st   state.Store
	user string

	mu     sync.Mutex
	loaded bool
	m      map[string]string
}

// newStoredCursors starts with the cursors job.Lock read with the lease,
// if it did and no run took them yet; else get reads them.
func newStoredCursors(st state.Store, job *Job) *storedCursors {
	c := &storedCursors{st: st, user: job.User}
	if job.Lock != nil {
		if m := job.Lock.TakeCursors(); m != nil {
			c.m, c.loaded = m, true
		}
	}
	return c
}

// read is what was read (nil if nothing was).
func (c *storedCursors) read() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m
}

// get is the stored cursor named name ("" when none).
func (c *storedCursors) get(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		m, err := c.st.Cursors(ctx, c.user)
		if err != nil {
			return "", err
		}
		c.m, c.loaded = m, true
	}
	return c.m[name], nil
}
