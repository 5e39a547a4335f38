package imap_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// syncer runs the engine over an imap source into a memory CRM, keeping
// the state (and so the stored cursor) from run to run.
type syncer struct {
	t   *testing.T
	st  state.Store
	crm *memory.Store
}

func newSyncer(t *testing.T) *syncer {
	st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &syncer{t: t, st: st, crm: memory.NewStore()}
}

// run plans and executes one run of src and requires it to be ok: no
// failed item, no failed Committed. It returns how many activities the
// run created.
func (s *syncer) run(src adapters.Source) int {
	s.t.Helper()
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: s.crm,
		Sources: []engine.NamedSource{{Name: "mail", Source: src}},
		Window:  engine.WindowAround(time.Now(), 30*24*time.Hour, 365*24*time.Hour)}
	run, err := engine.Start(ctx(s.t), s.st, job)
	if err != nil {
		s.t.Fatalf("plan: %v", err)
	}
	res, err := run.Apply(ctx(s.t))
	if err != nil {
		s.t.Fatalf("execute: %v", err)
	}
	if res.Status != "ok" && res.Status != "idle" {
		s.t.Fatalf("run %s: %+v", res.Status, res.Items)
	}
	return res.Counts[string(engine.ActCreate)]
}

// With after_import: flag the imported messages carry the keyword as soon
// as the run is over. A rerun in the same process sends STATUS only; a
// new process (a fresh Source) catches up from the stored cursor without
// harm.
func TestAfterImportFlagRightAfterTheRun(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		uids := imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"))
		opts := withOpts(t, srv.opts(f), map[string]any{"after_import": "flag"})
		s, src := newSyncer(t), open(t, opts)
		if n := s.run(src); n != 2 {
			t.Fatalf("first run created %d, want 2", n)
		}
		for _, u := range uids {
			if !hasFlag(imaptest.Flags(t, c, f, u), "$Imported") {
				t.Fatalf("UID %d not flagged right after the run", u)
			}
		}
		before := src.Commands()
		if n := s.run(src); n != 0 {
			t.Fatalf("rerun created %d", n)
		}
		if n := src.Commands() - before; n != 1 {
			t.Errorf("rerun in the same process sent %d commands, want EXAMINE only", n)
		}

		late := imaptest.Append(t, c, f, msg("c@x", "C", "kunde@example.org"))
		if n := s.run(open(t, opts)); n != 1 {
			t.Fatalf("run of a new process created %d, want 1", n)
		}
		for _, u := range append(uids, late...) {
			if !hasFlag(imaptest.Flags(t, c, f, u), "$Imported") {
				t.Errorf("UID %d not flagged after the new process's run", u)
			}
		}
		if n := imaptest.Count(t, c, f); n != 3 {
			t.Errorf("%d messages in %q, want 3: flagging deletes nothing", n, f)
		}
	})
}

// With after_import: move the imported messages are in move_to as soon as
// the run is over; the next process's catch-up (UID MOVE of UIDs already
// gone) moves nothing twice and fails nothing.
func TestAfterImportMoveRightAfterTheRun(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f, done := folder("Import Folder"), folder("Imported")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"))
		opts := withOpts(t, srv.opts(f), map[string]any{"after_import": "move", "move_to": done})
		s := newSyncer(t)
		if n := s.run(open(t, opts)); n != 2 {
			t.Fatalf("first run created %d, want 2", n)
		}
		if n, m := imaptest.Count(t, c, f), imaptest.Count(t, c, done); n != 0 || m != 2 {
			t.Fatalf("right after the run: %d in %q, %d in %q; want 0 and 2", n, f, m, done)
		}

		src := open(t, opts) // the next process
		if n := s.run(src); n != 0 {
			t.Fatalf("second run created %d, want 0", n)
		}
		if n, m := imaptest.Count(t, c, f), imaptest.Count(t, c, done); n != 0 || m != 2 {
			t.Fatalf("after the second run: %d in %q, %d in %q; want 0 and 2", n, f, m, done)
		}

		imaptest.Append(t, c, f, msg("c@x", "C", "kunde@example.org"))
		if n := s.run(src); n != 1 {
			t.Fatalf("third run created %d, want 1", n)
		}
		if n, m := imaptest.Count(t, c, f), imaptest.Count(t, c, done); n != 0 || m != 3 {
			t.Fatalf("after the third run: %d in %q, %d in %q; want 0 and 3", n, f, m, done)
		}
		before := src.Commands()
		s.run(src)
		if n := src.Commands() - before; n != 1 {
			t.Errorf("rerun in the same process sent %d commands, want EXAMINE only", n)
		}
	})
}

// On a server without MOVE, move is COPY plus the keyword; a catch-up of
// UIDs already copied copies nothing again.
func TestAfterImportCopyWithoutMOVEIsNotRepeated(t *testing.T) {
	m := imaptest.StartMem(t, imaptest.MemOptions{NoMove: true})
	srv := server{name: "mem-nomove", addr: m.Addr, user: m.Username, pass: m.Password}
	f, done := folder("Import Folder"), folder("Imported")
	c := srv.client(t)
	uids := imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"))
	opts := withOpts(t, srv.opts(f), map[string]any{"after_import": "move", "move_to": done})
	s := newSyncer(t)
	s.run(open(t, opts))
	if n, m := imaptest.Count(t, c, f), imaptest.Count(t, c, done); n != 2 || m != 2 {
		t.Fatalf("right after the run: %d in %q, %d in %q; want 2 (kept) and 2 (copies)", n, f, m, done)
	}
	for _, u := range uids {
		if !hasFlag(imaptest.Flags(t, c, f, u), "$Imported") {
			t.Fatalf("copied UID %d not flagged", u)
		}
	}
	src := open(t, opts) // the next process catches up the same UIDs
	s.run(src)
	imaptest.Append(t, c, f, msg("c@x", "C", "kunde@example.org"))
	s.run(src)
	if m := imaptest.Count(t, c, done); m != 3 {
		t.Fatalf("%d copies in %q, want 3 (each message once)", m, done)
	}
}

// Committed acts only on what a cursor of this account covers: another
// cursor is CursorInvalid; a folder recreated since the snapshot is an
// error and its new messages, whose UIDs the cursor names, stay untouched.
// With after_import: keep the capability is not declared.
func TestCommittedChecksItsCursor(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"))
		keep := open(t, srv.opts(f))
		if info, err := keep.Info(ctx(t)); err != nil || info.Capabilities.Committed {
			t.Fatalf("after_import: keep declares Committed (%+v, %v)", info.Capabilities, err)
		}
		src := open(t, withOpts(t, srv.opts(f), map[string]any{"after_import": "flag"}))
		if info, err := src.Info(ctx(t)); err != nil || !info.Capabilities.Committed {
			t.Fatalf("after_import: flag does not declare Committed (%+v, %v)", info.Capabilities, err)
		}
		if err := src.Committed(ctx(t), `{"v":1,"account":"mallory@elsewhere","folders":{}}`); adapters.CodeOf(err) != adapters.CodeCursorInvalid {
			t.Fatalf("cursor of another account: %v, want CursorInvalid", err)
		}
		_, end := snap(t, src, "")
		imaptest.Recreate(t, c, f)
		fresh := imaptest.Append(t, c, f, msg("new@x", "New", "kunde@example.org"))
		if err := src.Committed(ctx(t), end.Cursor); err == nil {
			t.Fatal("Committed into a recreated folder succeeded")
		}
		if hasFlag(imaptest.Flags(t, c, f, fresh[0]), "$Imported") {
			t.Fatal("a message of the recreated folder was flagged by the old cursor")
		}
	})
}
