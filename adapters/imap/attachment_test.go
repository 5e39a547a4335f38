package imap_test

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/mailmsg"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/gwsync/gwsync/internal/testenv"
)

// pdfLike is n bytes that start like a PDF and hold every byte value.
func pdfLike(n, seed int) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for i := 0; len(b) < n; i++ {
		b = append(b, byte(i*seed+i>>9))
	}
	return b[:n]
}

var (
	smallPDF = pdfLike(3000, 7)
	bigPDF   = pdfLike(2<<20, 11)
)

// withFiles renders a message carrying the 3 KB and the 2 MB attachment.
func withFiles(id string) []byte {
	return mailmsg.Render(adapters.Item{Key: "mid:" + id, Kind: adapters.KindMessage, Subject: "Angebot " + id,
		From: "kunde@example.org", To: []string{"alice@example.com"}, Date: time.Date(2027, 1, 12, 9, 15, 0, 0, time.UTC),
		Body: "Anbei Angebot und Katalog.", Attachments: []adapters.Attachment{
			{Name: "angebot.pdf", Type: "application/pdf", Data: smallPDF},
			{Name: "katalog.pdf", Type: "application/pdf", Data: bigPDF},
		}})
}

const oneMB = 1 << 20

func storeOpts(t *testing.T, srv server, f string) []byte {
	return withOpts(t, srv.opts(f), map[string]any{"store_attachments": true, "attachment_max_bytes": oneMB})
}

// syncInto runs plan and execute of the source into a crmsql CRM, with an
// optional step between the two.
func syncInto(t *testing.T, crm *crmsql.Store, src adapters.Source, between func()) *engine.Result {
	t.Helper()
	st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm,
		Sources: []engine.NamedSource{{Name: "mail", Source: src}},
		Window:  engine.WindowAround(time.Now(), 30*24*time.Hour, 365*24*time.Hour)}
	run, err := engine.Start(ctx(t), st, job)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if between != nil {
		between()
	}
	res, err := run.Apply(ctx(t))
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	return res
}

func newCRM(t *testing.T) *crmsql.Store {
	crm, err := crmsql.OpenStore(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { crm.Close() })
	return crm
}

// onlyActivity is the CRM's one activity.
func onlyActivity(t *testing.T, crm *crmsql.Store) adapters.Activity {
	t.Helper()
	all, err := crm.AllActivities(ctx(t))
	if err != nil || len(all) != 1 {
		t.Fatalf("CRM holds %d activities (%v), want 1", len(all), err)
	}
	return all[0]
}

// With store_attachments and a 1 MB limit, the 3 KB attachment is stored
// byte for byte in the CRM, the 2 MB one listed without content.
func TestAttachmentsStoredUpToTheLimit(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		imaptest.Append(t, srv.client(t), f, withFiles("files-1@x"))
		src := open(t, storeOpts(t, srv, f))

		items, _ := snap(t, src, "")
		if len(items) != 1 || len(items[0].Attachments) != 2 {
			t.Fatalf("snapshot %+v", items)
		}
		small, big := items[0].Attachments[0], items[0].Attachments[1]
		if small.Part != "2" || small.Size != int64(len(smallPDF)) || big.Part != "" || big.Size != int64(len(bigPDF)) {
			t.Fatalf("attachments %+v, want the small one with part 2, the big one without", items[0].Attachments)
		}

		crm := newCRM(t)
		res := syncInto(t, crm, src, nil)
		if res.Status != "ok" || res.Counts["create"] != 1 {
			t.Fatalf("result %+v", res)
		}
		a := onlyActivity(t, crm)
		if len(a.Attachments) != 2 || !a.Attachments[0].Stored || a.Attachments[1].Stored {
			t.Fatalf("attachments %+v, want the first stored, the second not", a.Attachments)
		}
		data, err := crm.AttachmentData(ctx(t), a.ID, 0)
		if err != nil || !bytes.Equal(data, smallPDF) {
			t.Fatalf("stored content: %d bytes (%v), want the %d of the attachment, identical", len(data), err, len(smallPDF))
		}
		if _, err := crm.AttachmentData(ctx(t), a.ID, 1); adapters.CodeOf(err) != adapters.CodeNotFound {
			t.Fatalf("content of the big attachment: %v, want NotFound (not stored)", err)
		}
		if strings.Contains(a.Body, "[gwsync:") {
			t.Errorf("body has a warning: %q", a.Body)
		}
	})
}

// Without store_attachments nothing has a Part, the capability is not
// declared, ReadAttachment is Unsupported and the CRM gets no content.
func TestAttachmentsNotStoredByDefault(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		imaptest.Append(t, srv.client(t), f, withFiles("files-2@x"))
		src := open(t, srv.opts(f))
		info, err := src.Info(ctx(t))
		if err != nil || info.Capabilities.ReadAttachments {
			t.Fatalf("Info %+v, %v: want no ReadAttachments", info.Capabilities, err)
		}
		items, _ := snap(t, src, "")
		for _, a := range items[0].Attachments {
			if a.Part != "" {
				t.Fatalf("attachment %+v has a Part with store_attachments off", a)
			}
		}
		if _, err := src.ReadAttachment(ctx(t), items[0].ID, "2", oneMB); adapters.CodeOf(err) != adapters.CodeUnsupported {
			t.Fatalf("ReadAttachment: %v, want Unsupported", err)
		}
		crm := newCRM(t)
		syncInto(t, crm, src, nil)
		a := onlyActivity(t, crm)
		if len(a.Attachments) != 2 || a.Attachments[0].Stored || a.Attachments[1].Stored {
			t.Fatalf("attachments %+v, want both listed, none stored", a.Attachments)
		}
	})
}

// The folder is recreated between the snapshot and the read: the item's
// UID now means nothing, ReadAttachment is NotFound, and the activity is
// created all the same, with a warning naming the attachment.
func TestAttachmentOfRecreatedFolderIsAWarning(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, withFiles("files-3@x"))
		src := open(t, storeOpts(t, srv, f))
		items, _ := snap(t, src, "")
		oldID := items[0].ID

		crm := newCRM(t)
		res := syncInto(t, crm, src, func() {
			imaptest.Recreate(t, c, f)
			imaptest.Append(t, c, f, withFiles("files-3@x"))
		})
		if res.Status != "ok" || res.Counts["create"] != 1 {
			t.Fatalf("result %+v", res)
		}
		a := onlyActivity(t, crm)
		if a.Attachments[0].Stored {
			t.Fatal("content stored from a recreated folder")
		}
		if !strings.Contains(a.Body, `[gwsync: attachment "angebot.pdf" not stored:`) || !strings.Contains(a.Body, "recreated") {
			t.Errorf("body %q lacks the warning", a.Body)
		}
		var warned bool
		for _, o := range res.Items {
			warned = warned || len(o.Warnings) == 1 && strings.Contains(o.Warnings[0], "angebot.pdf")
		}
		if !warned {
			t.Errorf("run outcomes %+v carry no warning", res.Items)
		}
		_, err := src.ReadAttachment(ctx(t), oldID, "2", oneMB)
		if adapters.CodeOf(err) != adapters.CodeNotFound {
			t.Fatalf("ReadAttachment of the old item: %v, want NotFound", err)
		}
	})
}

// ReadAttachment's errors and bounds: a section that cannot fit the limit
// is refused from BODYSTRUCTURE without fetching it; gone UIDs, unknown
// sections, malformed ids and folders not read are NotFound.
func TestReadAttachmentBounds(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		imaptest.Append(t, srv.client(t), f, withFiles("files-4@x"))
		src := open(t, withOpts(t, srv.opts(f), map[string]any{"store_attachments": true, "attachment_max_bytes": 4 * oneMB}))
		items, _ := snap(t, src, "")
		id := items[0].ID
		if got := items[0].Attachments[1].Part; got != "3" {
			t.Fatalf("the 2 MB attachment has part %q, want 3", got)
		}

		before := src.Commands()
		_, err := src.ReadAttachment(ctx(t), id, "3", oneMB)
		if adapters.CodeOf(err) != adapters.CodeInvalidItem {
			t.Fatalf("2 MB with a 1 MB limit: %v, want InvalidItem", err)
		}
		if n := src.Commands() - before; n != 3 {
			t.Errorf("refusing sent %d commands, want 3 (EXAMINE, UID FETCH BODYSTRUCTURE, UNSELECT): the content must not be fetched", n)
		}

		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		alloc := ms.TotalAlloc
		data, err := src.ReadAttachment(ctx(t), id, "3", 4*oneMB)
		runtime.ReadMemStats(&ms)
		if err != nil || !bytes.Equal(data, bigPDF) {
			t.Fatalf("2 MB attachment: %d bytes, %v", len(data), err)
		}
		// TotalAlloc counts the whole process: only against Dovecot (out of
		// process) is it the adapter's own work. The content itself is
		// 2 MiB; the 2.8 MB of base64 must never be held.
		allocated := ms.TotalAlloc - alloc
		t.Logf("%s: reading the 2 MiB attachment (2.8 MB of base64) allocated %.2f MiB", srv.name, float64(allocated)/(1<<20))
		if srv.name == "dovecot" && !testenv.RaceEnabled && allocated > uint64(len(bigPDF))+uint64(len(bigPDF))/4 {
			t.Errorf("reading %d bytes allocated %d: more than the content and a little", len(bigPDF), allocated)
		}

		base := id[:strings.LastIndex(id, "/")] // folder/UIDVALIDITY
		for what, ref := range map[string][2]string{
			"gone UID":           {base + "/999", "2"},
			"unknown section":    {id, "9"},
			"multipart section":  {id, "1.1"},
			"malformed section":  {id, "2a"},
			"malformed id":       {"no-slashes", "2"},
			"folder not read":    {"Other/1/1", "2"},
			"zero uid":           {base + "/0", "2"},
			"text is no section": {id, "TEXT"},
		} {
			if _, err := src.ReadAttachment(ctx(t), ref[0], ref[1], oneMB); adapters.CodeOf(err) != adapters.CodeNotFound {
				t.Errorf("%s (%s part %s): %v, want NotFound", what, ref[0], ref[1], err)
			}
		}
		// The conversation goes on after all that.
		if data, err := src.ReadAttachment(ctx(t), id, "2", oneMB); err != nil || !bytes.Equal(data, smallPDF) {
			t.Fatalf("small attachment afterwards: %d bytes, %v", len(data), err)
		}
	})
}
