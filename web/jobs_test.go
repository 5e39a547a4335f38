package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// fakeJobs is a queue the test drives: it records what was enqueued and
// answers Job with what the test set.
type fakeJobs struct {
	mu       sync.Mutex
	enqueued []ManualJob
	status   JobStatus
	readErr  error
	reads    int
}

func (q *fakeJobs) EnqueueManual(_ context.Context, m ManualJob) (int64, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.enqueued = append(q.enqueued, m)
	return 41 + int64(len(q.enqueued)), false, nil
}

func (q *fakeJobs) Job(_ context.Context, id int64) (JobStatus, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reads++
	return q.status, q.readErr
}

func (q *fakeJobs) NextRuns(context.Context, []string, time.Duration) (map[string]time.Time, error) {
	return nil, errors.New("not asked in these tests")
}

func (q *fakeJobs) set(js JobStatus, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.status, q.readErr = js, err
}

// TestExecuteEnqueuesTheReviewedSelection: with a queue, Execute runs
// nothing here: the job carries the areas, the ids left selected (not the
// deselected one) and the typed password; the run page follows the job
// through a failed attempt to a summary that lists its failed item.
func TestExecuteEnqueuesTheReviewedSelection(t *testing.T) {
	q := &fakeJobs{status: JobStatus{State: JobQueued}}
	f := newFixture(t, []User{{Name: "alice", PasswordHash: hash(t)}}, func(o *Options) { o.Jobs, o.JobPoll = q, 10*time.Millisecond })
	c := f.client()
	c.mustLogin("alice")
	if code, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("areas: %d %q", code, loc)
	}
	cands := c.candidates("/sync/emails")
	keep := []string{cands["Request for quote: 12 Enterprise seats"], cands["Purchase order 2027-0042"]}
	if code, _, _ := c.form("/sync/emails", url.Values{"sel": keep}); code != http.StatusSeeOther {
		t.Fatalf("selection: %d", code)
	}
	if code, loc, body := c.form("/sync/execute", url.Values{"nav": {"run"}}); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Fatalf("execute: %d %q\n%s", code, loc, body)
	}
	q.mu.Lock()
	enqueued := q.enqueued
	q.mu.Unlock()
	if len(enqueued) != 1 {
		t.Fatalf("enqueued %d jobs, want 1", len(enqueued))
	}
	got := enqueued[0]
	if got.User != "alice" || len(got.Areas) != 1 || got.Areas[0] != engine.AreaEmails ||
		len(got.Selected) != 2 || got.Selected[0] != keep[0] && got.Selected[0] != keep[1] || got.Selected[0] == got.Selected[1] {
		t.Errorf("enqueued %+v, want alice's e-mails with %v selected", got, keep)
	}
	if n := len(f.crm.Activities()); n != 0 {
		t.Errorf("the CRM holds %d activities: the server ran the sync itself", n)
	}
	if _, _, body := c.get("/sync/run"); !strings.Contains(body, "queued (job 42)") {
		t.Errorf("the run page while queued:\n%s", body)
	}
	q.set(JobStatus{State: JobRunning, Phase: "execute", Done: 1, Total: 2}, nil)
	if _, _, body := c.get("/sync/run"); !strings.Contains(body, "data-progress-text>execute<") {
		t.Errorf("the run page while running:\n%s", body)
	}
	q.set(JobStatus{State: JobRetrying, Attempt: 1, Error: "database restarted"}, nil)
	if _, _, body := c.get("/sync/run"); !strings.Contains(body, "attempt 1 failed (database restarted)") {
		t.Errorf("the run page while retrying:\n%s", body)
	}
	q.set(JobStatus{State: JobDone, Result: &engine.Result{RunID: 7, Status: "partial",
		Counts: map[string]int{"create": 1, engine.OutcomeFailed: 1},
		Items: []engine.ItemOutcome{{ActionID: keep[1], Kind: engine.ActCreate, ItemID: "m3", Subject: "Purchase order 2027-0042",
			Outcome: engine.OutcomeFailed, Error: "CRM refused the activity"}}}, MoreFailed: 3}, nil)
	body := c.waitRun()
	for _, want := range []string{`id="run-status">partial<`, "Run 7 finished", "Purchase order 2027-0042", "CRM refused the activity", "… and 3 more"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q:\n%s", want, body)
		}
	}
}

// TestFollowedJobThatGaveUpAndAQueueThatCannotBeRead: a discarded job's
// page says the run stopped and why; an event stream whose queue cannot
// be read ends after a few tries instead of spinning forever.
func TestFollowedJobThatGaveUpAndAQueueThatCannotBeRead(t *testing.T) {
	q := &fakeJobs{status: JobStatus{State: JobFailed, Attempt: 25, Error: "imap: connection refused"}}
	f := newFixture(t, []User{{Name: "alice", PasswordHash: hash(t)}}, func(o *Options) { o.Jobs, o.JobPoll = q, 10*time.Millisecond })
	c := f.client()
	c.mustLogin("alice")
	c.form("/sync/areas", url.Values{"area": {"emails"}})
	c.form("/sync/emails", nil)
	if code, loc, _ := c.form("/sync/execute", url.Values{"nav": {"run"}}); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Fatalf("execute: %d %q", code, loc)
	}
	if _, _, body := c.get("/sync/run"); !strings.Contains(body, "The run stopped: job 42 failed: imap: connection refused") {
		t.Errorf("the page of a job that gave up:\n%s", body)
	}
	q.set(JobStatus{}, errors.New("connection reset"))
	code, _, events := c.get("/sync/events")
	if code != http.StatusOK || !strings.Contains(events, "event: done") || !strings.Contains(events, "cannot be read") {
		t.Errorf("event stream with an unreadable queue: %d\n%s", code, events)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.reads > 10 {
		t.Errorf("the stream read the queue %d times", q.reads)
	}
}
