package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
)

// gatedCRM holds every listing until the source's snapshot has begun: a
// planner that lists the CRM before it starts the source never plans.
type gatedCRM struct {
	*memory.Store
	started <-chan struct{}
	fail    error // the listings' error, after the gate
}

func (c *gatedCRM) wait(ctx context.Context) error {
	select {
	case <-c.started:
		return c.fail
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("the source's snapshot did not start while the CRM was being listed")
	}
}

func (c *gatedCRM) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	if err := c.wait(ctx); err != nil {
		return adapters.ListEnd{}, err
	}
	return c.Store.ListActivities(ctx, q, emit)
}

func (c *gatedCRM) ListChanges(ctx context.Context, q adapters.ChangeQuery, emit func(adapters.Activity) error) (adapters.ChangeEnd, error) {
	if err := c.wait(ctx); err != nil {
		return adapters.ChangeEnd{}, err
	}
	return c.Store.ListChanges(ctx, q, emit)
}

// announcingSource says when its snapshot begins.
type announcingSource struct {
	*memory.Store
	once    sync.Once
	started chan struct{}
}

func (s *announcingSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.once.Do(func() { close(s.started) })
	return s.Store.Snapshot(ctx, req, emit)
}

func gate(w *world) (*gatedCRM, *announcingSource) {
	src := &announcingSource{Store: w.src, started: make(chan struct{})}
	crm := &gatedCRM{Store: w.crm, started: src.started}
	w.job.Sources[0].Source, w.job.CRM = src, crm
	return crm, src
}

func TestTheSourceListsWhileTheCRMIsListed(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	gate(w)
	p, res := w.run()
	if got := kinds(p); got[ActCreate] != 4 || res.Status != "ok" {
		t.Fatalf("first run: %v, status %s", got, res.Status)
	}
	// The second run lists the CRM by change, the links looked up lazily.
	_, w.job.Sources[0].Source = gate(w)
	p, res = w.run()
	if len(p.Actions) != 0 || p.Unchanged != 4 || res.Status != "idle" {
		t.Fatalf("second run: %+v, unchanged %d, status %s", p.Actions, p.Unchanged, res.Status)
	}
}

func TestACRMThatFailsFailsThePlanNotTheSource(t *testing.T) {
	w := newWorld(t)
	seedAll(w)
	crm, _ := gate(w)
	crm.fail = errors.New("crm is down")
	_, err := Start(context.Background(), w.st, w.job)
	if err == nil || !strings.Contains(err.Error(), "crm is down") || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("start: %v", err)
	}
	if len(w.crm.Activities()) != 0 {
		t.Fatalf("CRM written: %d", len(w.crm.Activities()))
	}
}
