package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

// upsertCounter is a CRM that records the attachment content and the
// whole weight (upsertBytes) of every Upsert.
type upsertCounter struct {
	adapters.Sink
	calls   []int64 // attachment content bytes per call
	weights []int64 // upsertBytes per call
	sizes   []int   // activities per call
}

func (u *upsertCounter) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	var n, w int64
	for i := range acts {
		w += upsertBytes(&acts[i])
		for _, f := range acts[i].Attachments {
			n += int64(len(f.Data))
		}
	}
	u.calls, u.weights, u.sizes = append(u.calls, n), append(u.weights, w), append(u.sizes, len(acts))
	return u.Sink.Upsert(ctx, acts)
}

func mail(id string, files ...adapters.Attachment) adapters.Item {
	return adapters.Item{ID: id, Key: "mid:" + id, Kind: adapters.KindMessage, Subject: "Mail " + id,
		From: "bob@example.com", Date: mustTime("2026-06-01T10:00:00Z"), Attachments: files}
}

// content is n bytes of binary that differ per seed.
func content(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*seed + i>>8)
	}
	return b
}

// The content of listed attachments reaches the CRM byte for byte, and a
// create batch is cut into Upserts of at most maxUpsertBytes.
func TestAttachmentContentIsStoredInUpsertsBoundedByBytes(t *testing.T) {
	w := newWorld(t)
	crm := &upsertCounter{Sink: w.crm}
	w.job.CRM = crm
	const each = 6 << 20
	for i := range 6 {
		w.src.PutItem(mail(fmt.Sprintf("m%d", i), adapters.Attachment{Name: "scan.pdf", Type: "application/pdf", Size: each, Data: content(i+3, each)}))
	}
	w.src.PutItem(mail("plain"))
	_, res := w.run()
	if res.Status != "ok" || res.Counts["create"] != 7 {
		t.Fatalf("result %+v", res)
	}
	var total int64
	for i, n := range crm.calls {
		if w := crm.weights[i]; w > maxUpsertBytes {
			t.Errorf("Upsert %d weighed %d bytes, over %d", i, w, maxUpsertBytes)
		}
		total += n
	}
	if len(crm.calls) != 3 || total != 6*each {
		t.Errorf("Upserts %v (activities %v), want 3 carrying %d bytes in all", crm.calls, crm.sizes, 6*each)
	}
	for i := range 6 {
		a := w.activityByKey(fmt.Sprintf("mid:m%d", i))
		if len(a.Attachments) != 1 || !bytes.Equal(a.Attachments[0].Data, content(i+3, each)) || a.Attachments[0].Part != "" {
			t.Fatalf("m%d: attachment not stored as read", i)
		}
	}
	for _, a := range w.crm.Activities() {
		if strings.Contains(a.Body, "[gwsync:") {
			t.Errorf("%s: unexpected warning in body %q", a.Key, a.Body)
		}
	}
}

// A read that fails (content over the listed size, the item gone since
// planning, a source that cannot read) leaves the activity created with
// the attachment listed without content, and a warning naming it.
func TestFailedAttachmentReadWarnsAndStillCreates(t *testing.T) {
	good := adapters.Attachment{Name: "offer.pdf", Type: "application/pdf", Size: 100, Data: content(5, 100)}
	t.Run("over the limit", func(t *testing.T) {
		w := newWorld(t)
		w.src.PutItem(mail("m1", good, adapters.Attachment{Name: "liar.bin", Size: 10, Data: content(7, 100<<10)}))
		_, res := w.run()
		a := w.activityByKey("mid:m1")
		if len(a.Attachments) != 2 || !bytes.Equal(a.Attachments[0].Data, good.Data) || a.Attachments[1].Data != nil || a.Attachments[1].Name != "liar.bin" {
			t.Fatalf("attachments %+v", a.Attachments)
		}
		checkWarned(t, res, a, `attachment "liar.bin" not stored`, "over the limit")
	})
	t.Run("item gone since planning", func(t *testing.T) {
		w := newWorld(t)
		w.src.PutItem(mail("m1", good))
		p := w.plan()
		w.src.DeleteItem("m1")
		res, err := execute(context.Background(), w.st, w.job, p)
		if err != nil {
			t.Fatal(err)
		}
		a := w.activityByKey("mid:m1")
		if len(a.Attachments) != 1 || a.Attachments[0].Data != nil {
			t.Fatalf("attachments %+v", a.Attachments)
		}
		checkWarned(t, res, a, `attachment "offer.pdf" not stored`, "not found")
	})
	t.Run("source without ReadAttachments", func(t *testing.T) {
		w := newWorld(t)
		w.job.Sources[0].Source = readsNoAttachments{w.src}
		w.src.PutItem(mail("m1", good))
		_, res := w.run()
		a := w.activityByKey("mid:m1")
		if a.Attachments[0].Data != nil {
			t.Fatal("content stored from a source that does not declare ReadAttachments")
		}
		checkWarned(t, res, a, "cannot read attachments")
	})
}

// readsNoAttachments hides the memory store's AttachmentReader.
type readsNoAttachments struct{ adapters.Source }

func (r readsNoAttachments) Info(ctx context.Context) (adapters.Info, error) {
	info, err := r.Source.Info(ctx)
	info.Capabilities.ReadAttachments = false
	return info, err
}

// checkWarned: the run is ok (a warning is no failure), and the outcome and
// the activity's body carry a warning with every one of subs.
func checkWarned(t *testing.T, res *Result, a adapters.Activity, subs ...string) {
	t.Helper()
	if res.Status != "ok" || res.Counts["create"] != 1 {
		t.Fatalf("result %+v", res)
	}
	var warnings []string
	for _, o := range res.Items {
		warnings = append(warnings, o.Warnings...)
	}
	for _, s := range subs {
		if !strings.Contains(strings.Join(warnings, "\n"), s) {
			t.Errorf("outcome warnings %q lack %q", warnings, s)
		}
		if !strings.Contains(a.Body, s) {
			t.Errorf("body %q lacks %q", a.Body, s)
		}
	}
}

// Bodies count too: 200 mails with bodies at mailmsg's 1 MiB cap would
// not fit one plugin message (64 MiB), so the batch is cut by weight.
func TestLargeBodiesCutUpsertsByWeight(t *testing.T) {
	w := newWorld(t)
	crm := &upsertCounter{Sink: w.crm}
	w.job.CRM = crm
	body := strings.Repeat("quarterly numbers attached. ", 1<<20/28)
	for i := range 40 {
		it := mail(fmt.Sprintf("big%02d", i))
		it.Body = body
		w.src.PutItem(it)
	}
	_, res := w.run()
	if res.Status != "ok" || res.Counts["create"] != 40 {
		t.Fatalf("result %+v", res)
	}
	if len(crm.sizes) < 3 {
		t.Fatalf("40 MiB of bodies went in %d Upserts (%v), want them cut at %d bytes", len(crm.sizes), crm.sizes, maxUpsertBytes)
	}
	for i, wt := range crm.weights {
		if wt > maxUpsertBytes {
			t.Errorf("Upsert %d weighed %d bytes, over %d", i, wt, maxUpsertBytes)
		}
	}
}
