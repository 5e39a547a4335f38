package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
)

// slowSource lists its items, then holds the listing open until it is
// cancelled or released, like a big mailbox being read.
type slowSource struct {
	adapters.Source
	release   chan struct{}
	holding   chan struct{} // closed once the listing holds open
	hold      sync.Once
	cancelled atomic.Bool
}

func (s *slowSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	end, err := s.Source.Snapshot(ctx, req, emit) // the items go out at once
	if err != nil {
		return end, err
	}
	s.hold.Do(func() { close(s.holding) })
	select {
	case <-ctx.Done():
		s.cancelled.Store(true)
		return adapters.SnapshotEnd{}, ctx.Err()
	case <-s.release:
		return end, nil
	}
}

// slowFixture serves sam with a source that holds its listing open.
func slowFixture(t *testing.T) (*fixture, *slowSource) {
	return slowFixtureWith(t, sam(t), nil)
}

// slowFixtureWith is slowFixture for user u, with edit applied to the
// options first (nil: none).
func slowFixtureWith(t *testing.T, u User, edit func(*Options)) (*fixture, *slowSource) {
	var f *fixture
	slow := &slowSource{release: make(chan struct{}), holding: make(chan struct{})}
	f = newFixtureWith(t, []User{u}, func(o *Options) {
		if edit != nil {
			edit(o)
		}
		open := o.OpenJob
		o.OpenJob = func(ctx context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
			job, release, err := open(ctx, user, secrets)
			if err == nil {
				slow.Source = job.Sources[0].Source
				job.Sources[0].Source = slow
			}
			return job, release, err
		}
	}, func(s *Server) { s.planningWait = 20 * time.Millisecond })
	addMails(f.sources["sam"], "sam", 250)
	return f, slow
}

func TestSlowPlanningShowsProgressAndGoesOn(t *testing.T) {
	f, slow := slowFixture(t)
	c := f.client()
	c.mustLogin("sam")
	if code, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); code != http.StatusSeeOther || loc != planningPath {
		t.Fatalf("a slow plan: %d %q, want the planning page", code, loc)
	}
	// Meanwhile every step leads to the progress page.
	if code, loc, body := c.get("/sync/emails"); loc != planningPath {
		t.Errorf("emails step while planning: %d to %q\n%.3000s", code, loc, body)
	}
	// The listing reports every 100 items: 253 are out, 200 reported.
	var body string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, _, body = c.get(planningPath); strings.Contains(body, "200 items so far") {
			break
		}
	}
	if !strings.Contains(body, "Reading inbox: 200 items so far") || !strings.Contains(body, `id="cancel-planning"`) {
		t.Errorf("the planning page does not show the items listed so far and a cancel button:\n%s", body)
	}
	// The event stream says the same, as JSON.
	resp, err := c.http.Get(f.http.URL + planningPath + "/events")
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(resp.Body)
	event, _ := rd.ReadString('\n')
	data, _ := rd.ReadString('\n')
	resp.Body.Close()
	if event != "event: progress\n" || !strings.Contains(data, `"sources":[{"label":"inbox","items":200,"done":false}]`) {
		t.Errorf("planning events start with %q %q", event, data)
	}
	close(slow.release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, loc, _ := c.get(planningPath)
		if loc == "/sync/emails" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the finished planning leads to %q, want the emails step", loc)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ids := c.candidates("/sync/emails"); len(ids) != pageSize {
		t.Errorf("after planning the emails step shows %d rows", len(ids))
	}
}

func TestCancelPlanningStartsAgain(t *testing.T) {
	f, slow := slowFixture(t)
	c := f.client()
	c.mustLogin("sam")
	if _, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); loc != planningPath {
		t.Fatalf("a slow plan goes to %q", loc)
	}
	// Cancel while the listing holds open (on a busy machine the
	// planning may not have reached the source yet).
	select {
	case <-slow.holding:
	case <-time.After(time.Minute):
		t.Fatal("the listing never started")
	}
	if code, loc, _ := c.form(planningPath+"/cancel", nil); code != http.StatusSeeOther || loc != "/sync/areas" {
		t.Fatalf("cancel: %d %q", code, loc)
	}
	if !slow.cancelled.Load() {
		t.Error("cancel did not cancel the listing")
	}
	code, _, body := c.get("/sync/areas")
	if code != http.StatusOK || !strings.Contains(body, `id="areas-form"`) {
		t.Fatalf("after cancel the areas step: %d", code)
	}
	if _, loc, _ := c.get("/sync/emails"); loc != "/sync/areas" {
		t.Errorf("after cancel the emails step is open (to %q)", loc)
	}
	// A new plan starts from scratch and can finish.
	slow.release = make(chan struct{})
	close(slow.release)
	if _, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); loc != "/sync/emails" && loc != planningPath {
		t.Fatalf("planning again: to %q", loc)
	}
	if n := f.opened.Load(); n != 2 {
		t.Errorf("sources opened %d times, want 2 (one per planning)", n)
	}
}
