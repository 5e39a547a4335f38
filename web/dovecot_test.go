package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	imapv2 "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/internal/testenv"
)

// TestDovecotFolderOf5000 reviews a 5,000-mail Import Folder on Dovecot in
// the wizard: the e-mail step pages through it, a search narrows it, two
// rows cleared on page 3 stay cleared on the way back to page 1, and the
// run imports exactly the 4,998 selected. It logs the figures the issue
// asks for (time from the listing's end to the first page, its bytes).
func TestDovecotFolderOf5000(t *testing.T) {
	addr := testenv.Var(t, "DOVECOT_ADDR")
	user, pass := testenv.Var(t, "DOVECOT_USER"), testenv.Var(t, "DOVECOT_PASSWORD")
	const n = 5000
	folder := fmt.Sprintf("Web Import %d", time.Now().UnixNano())
	msgs := make([][]byte, n)
	for i := range msgs {
		from := "ops@northwind.example.org"
		if i%2 == 1 {
			from = "sales@fabrikam.example.org"
		}
		msgs[i] = mailmsg.Render(adapters.Item{Key: fmt.Sprintf("mid:web5000-%s-%d@x", strings.ReplaceAll(folder, " ", ""), i),
			Kind: adapters.KindMessage, Subject: fmt.Sprintf("Order %04d", i+1), From: from, To: []string{"sam@example.com"},
			Date: at("2027-02-01T08:00:00Z").Add(time.Duration(i) * time.Minute), Body: "Please deliver."})
	}
	seeded := time.Now()
	appendPipelined(t, imaptest.Dial(t, addr, user, pass), folder, msgs)
	t.Logf("seeded %d mails into %q in %s", n, folder, time.Since(seeded).Round(time.Millisecond))

	var listed atomic.Int64 // when the listing ended, Unix nanoseconds
	f := newFixtureWith(t, []User{sam(t)}, func(o *Options) {
		open := o.OpenJob
		o.OpenJob = func(ctx context.Context, u string, secrets map[string]string) (*engine.Job, func(), error) {
			job, release, err := open(ctx, u, secrets)
			if err != nil {
				return nil, nil, err
			}
			src, err := imap.New(adapters.Config{Name: "inbox", Options: imaptest.Options(addr, user, pass, folder), Logger: hclog.NewNullLogger()})
			if err != nil {
				return nil, nil, err
			}
			job.Sources[0].Source = &endWatch{Source: src, end: &listed}
			return job, func() { src.Close(); release() }, nil
		}
	}, nil)
	c := f.client()
	c.mustLogin("sam")
	code, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}})
	for loc == planningPath || loc == "" && code == http.StatusOK { // the planning page, until it moves on
		time.Sleep(20 * time.Millisecond)
		code, loc, _ = c.get(planningPath)
	}
	if loc != "/sync/emails" {
		t.Fatalf("planning %d mails ended in %d %q", n, code, loc)
	}
	_, _, body := c.get("/sync/emails")
	t.Logf("e-mail step, %d rows: first page %s after the listing's end, %d bytes", n, time.Since(time.Unix(0, listed.Load())).Round(time.Millisecond), len(body))
	if got := selectedCount(t, body); got != "5000/5000" {
		t.Fatalf("counter %s, want 5000/5000", got)
	}
	page1, _ := pageIDs(body)
	if len(page1) != pageSize || !strings.Contains(body, "Order 5000") {
		t.Fatalf("page 1 shows %d rows", len(page1))
	}
	c.form("/sync/emails", url.Values{"paged": {"1"}, "shown": page1, "sel": page1, "nav": {"page:3"}})
	_, _, body = c.get("/sync/emails?page=3")
	page3, _ := pageIDs(body)
	if len(page3) != pageSize || !strings.Contains(body, "Order 4900") {
		t.Fatalf("page 3 shows %d rows, not Order 4900", len(page3))
	}
	// Clear the first two of page 3 (Order 4900 and 4899), back to page 1.
	c.form("/sync/emails", url.Values{"paged": {"1"}, "shown": page3, "sel": page3[2:], "nav": {"page:1"}, "cur_page": {"3"}})
	_, _, body = c.get("/sync/emails")
	if got := selectedCount(t, body); got != "4998/5000" {
		t.Errorf("page 1 after clearing two on page 3: %s, want 4998/5000", got)
	}
	_, _, body = c.get("/sync/emails?page=3")
	if _, checked := pageIDs(body); len(checked) != pageSize-2 {
		t.Errorf("page 3 again: %d checked, want %d", len(checked), pageSize-2)
	}
	_, _, body = c.get("/sync/emails?q=order+12")
	if !strings.Contains(body, "1–50 of 100") { // Order 1200 to 1299
		t.Errorf("search for order 12 does not narrow to the 100 mails from Order 1200 to 1299")
	}
	if code, loc, _ := c.form("/sync/emails", url.Values{"paged": {"1"}, "nav": {"next"}}); code != http.StatusSeeOther || loc != "/sync/execute" {
		t.Fatalf("next: %d %q", code, loc)
	}
	c.form("/sync/execute", url.Values{"nav": {"run"}})
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(body, `id="summary"`) {
		if time.Now().After(deadline) {
			t.Fatal("the run did not finish")
		}
		time.Sleep(50 * time.Millisecond)
		_, _, body = c.get("/sync/run")
	}
	got := f.subjects("sam")
	if len(got) != n-2 || got["Order 4900"] || got["Order 4899"] || !got["Order 4898"] || !got["Order 0001"] {
		t.Errorf("the CRM holds %d activities (Order 4900: %v, 4899: %v), want the %d selected", len(got), got["Order 4900"], got["Order 4899"], n-2)
	}
}

// endWatch notes when a source's listing ended.
type endWatch struct {
	adapters.Source
	end *atomic.Int64
}

func (e *endWatch) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	end, err := e.Source.Snapshot(ctx, req, emit)
	e.end.Store(time.Now().UnixNano())
	return end, err
}

// appendPipelined stores many messages in a new folder without waiting
// for each APPEND's answer before sending the next (a few seconds for
// thousands, where one at a time takes a minute).
func appendPipelined(t *testing.T, c *imapclient.Client, folder string, msgs [][]byte) {
	t.Helper()
	imaptest.Create(t, c, folder)
	const window = 100
	var pending []*imapclient.AppendCommand
	wait := func() {
		for _, cmd := range pending {
			if _, err := cmd.Wait(); err != nil {
				t.Fatalf("APPEND to %q: %v", folder, err)
			}
		}
		pending = pending[:0]
	}
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), &imapv2.AppendOptions{})
		if _, err := cmd.Write(m); err != nil {
			t.Fatalf("APPEND: %v", err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("APPEND: %v", err)
		}
		if pending = append(pending, cmd); len(pending) == window {
			wait()
		}
	}
	wait()
}
