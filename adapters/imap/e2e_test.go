package imap_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// TestEndToEnd runs the engine over the imap source into a memory CRM:
// one MAILIN per Key with contact links, nothing on a rerun, only new mail
// after it, and no duplicate after the folder is recreated (UIDVALIDITY
// reset: the cursor is void, the full rescan is deduplicated by Key).
func TestEndToEnd(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f1, f2 := folder("Import Folder"), folder("Zweiter Ordner")
		c := srv.client(t)
		shared := msg("deal@x", "Angebot", "Kunde@Example.org", "alice@example.com", "Einkauf@example.org")
		imaptest.Append(t, c, f1, shared, msg("", "ohne Message-ID", "other@example.org"),
			[]byte("Message-ID: <html@x>\r\nDate: Tue, 12 Jan 2027 09:15:00 +0100\r\nFrom: h@example.org\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/html\r\n\r\n<p>Hallo&nbsp;Welt</p>\r\n"))
		imaptest.Append(t, c, f2, shared)

		st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		crm := memory.NewStore()
		run := func(name string) *engine.Result {
			t.Helper()
			job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm,
				Sources: []engine.NamedSource{{Name: "mail", Source: open(t, srv.opts(f1, f2))}},
				Window:  engine.WindowAround(time.Now(), 30*24*time.Hour, 365*24*time.Hour)}
			run, err := engine.Start(ctx(t), st, job)
			if err != nil {
				t.Fatalf("%s: plan: %v", name, err)
			}
			res, err := run.Apply(ctx(t))
			if err != nil {
				t.Fatalf("%s: execute: %v", name, err)
			}
			return res
		}
		mailins := func() []adapters.Activity {
			var out []adapters.Activity
			for _, a := range crm.Activities() {
				if a.Type == adapters.TypeMailIn {
					out = append(out, a)
				}
			}
			return out
		}

		run("first")
		acts := mailins()
		if len(acts) != 3 {
			t.Fatalf("first run: %d MAILIN activities, want 3 (the duplicate once): %v", len(acts), acts)
		}
		for _, a := range acts {
			switch a.Key {
			case "mid:deal@x":
				slices.Sort(a.Contacts)
				if !slices.Equal(a.Contacts, []string{"einkauf@example.org", "kunde@example.org"}) {
					t.Errorf("contacts %v, want the sender and the other recipient, not alice", a.Contacts)
				}
			case "mid:html@x":
				if a.Subject != "Grüße" || a.Body != "Hallo Welt" {
					t.Errorf("HTML mail: subject %q body %q", a.Subject, a.Body)
				}
			}
		}

		run("rerun")
		if n := len(mailins()); n != 3 {
			t.Fatalf("rerun: %d activities, want still 3", n)
		}

		imaptest.Append(t, c, f1, msg("new@x", "Neu", "kunde@example.org"))
		run("new mail")
		if n := len(mailins()); n != 4 {
			t.Fatalf("after a new message: %d activities, want 4", n)
		}

		imaptest.Recreate(t, c, f1)
		imaptest.Append(t, c, f1, shared, msg("new@x", "Neu", "kunde@example.org"), msg("late@x", "Spät", "kunde@example.org"))
		run("after recreate")
		if n := len(mailins()); n != 5 {
			t.Fatalf("after recreating the folder: %d activities, want 5 (only late@x new)", n)
		}
		run("after recreate, rerun")
		if n := len(mailins()); n != 5 {
			t.Fatalf("rerun after recreate: %d activities, want 5", n)
		}
	})
}
