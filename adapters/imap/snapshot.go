package imap

import (
	"context"
	"errors"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/gwsync/gwsync/adapters"
)

// batchSize is how many UIDs one UID FETCH asks for. Bodies are streamed
// whatever the batch size, and the batches are pipelined (see fetch); the
// batch bounds the length of a command line (a UID set of scattered UIDs)
// and how much must be read off the wire (or the connection dropped) when
// emit stops the snapshot.
var batchSize = 500

// Snapshot emits the messages of every configured folder: all of them
// without a cursor (Complete), only those with a UID above the cursor's
// otherwise. Folders not in the cursor (added to the config since) are
// read whole.
//
// Errors: CursorInvalid when a folder's UIDVALIDITY changed, HIGHESTMODSEQ
// went back (a restored server) or the cursor is of another account or
// version; NotFound when a folder does not exist; Unauthorized; Temporary
// for network failures (the connection is dropped and redialled on the
// next call). A message that cannot be parsed is emitted with Unreadable
// "UID n: reason", not returned as an error.
func (s *Source) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.idle()
	if len(req.Kinds) > 0 && !slices.Contains(req.Kinds, adapters.KindMessage) {
		return adapters.SnapshotEnd{Cursor: req.Cursor, Complete: req.Cursor == ""}, ctx.Err()
	}
	prev, err := s.decodeCursor(req.Cursor)
	if err != nil {
		return adapters.SnapshotEnd{}, err
	}
	c, err := s.conn(ctx)
	if err != nil {
		return adapters.SnapshotEnd{}, err
	}
	// A cancelled context closes the connection: imapclient has no
	// context of its own, and this unblocks any read in progress.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	start := s.Commands()
	next := &cursor{V: cursorVersion, Account: s.account(), Folders: map[string]folderCursor{}}
	r := &folderRun{s: s, c: c, wire: s.wire, ctx: ctx, emit: emit}
	for _, name := range s.opts.Folders {
		var from *folderCursor
		if prev != nil {
			if fc, ok := prev.Folders[name]; ok {
				from = &fc
			}
		}
		fc, err := r.folder(name, from)
		if err != nil {
			if ctx.Err() != nil {
				s.drop()
				return adapters.SnapshotEnd{}, ctx.Err()
			}
			if adapters.CodeOf(err) != adapters.CodeCursorInvalid && !r.emitFailed {
				s.dropIfBroken(err)
			}
			return adapters.SnapshotEnd{}, err
		}
		next.Folders[name] = fc
	}
	s.logger.Info("imap snapshot", "account", s.account(), "items", r.count,
		"incremental", prev != nil, "commands", s.Commands()-start)
	return adapters.SnapshotEnd{Count: r.count, Cursor: next.encode(), Complete: prev == nil}, nil
}

// dropIfBroken drops the connection unless err is a plain IMAP NO/BAD
// answer, after which the conversation can go on.
func (s *Source) dropIfBroken(err error) {
	var ie *imap.Error
	if !errors.As(err, &ie) {
		s.drop()
	}
}

// folderRun is one snapshot's pass over the folders.
type folderRun struct {
	s          *Source
	c          *imapclient.Client
	wire       *stallConn // c's connection (nil in tests that build a run by hand)
	ctx        context.Context
	emit       func(adapters.Item) error
	count      int64
	emitFailed bool
	// selUIDNext is UIDNEXT of the last SELECT: every message below it
	// existed when it was selected, so the search that follows sees it.
	selUIDNext uint32
}

// folder reads one folder from the cursor from (nil: from the start) and
// returns its new cursor.
func (r *folderRun) folder(name string, from *folderCursor) (folderCursor, error) {
	s, c := r.s, r.c
	condstore := c.Caps().Has(imap.CapCondStore)
	s.count()
	st, err := c.Status(name, &imap.StatusOptions{UIDValidity: true, UIDNext: true, HighestModSeq: condstore}).Wait()
	if err != nil {
		return folderCursor{}, s.folderErr(name, "STATUS", err)
	}
	fc := folderCursor{UIDValidity: st.UIDValidity, ModSeq: st.HighestModSeq}
	if from != nil {
		if from.UIDValidity != st.UIDValidity {
			return fc, adapters.Errorf(adapters.CodeCursorInvalid, "imap: folder %q: UIDVALIDITY changed from %d to %d (folder recreated); the cursor is void", name, from.UIDValidity, st.UIDValidity)
		}
		if condstore && st.HighestModSeq < from.ModSeq {
			return fc, adapters.Errorf(adapters.CodeCursorInvalid, "imap: folder %q: HIGHESTMODSEQ went back from %d to %d (server restored); the cursor is void", name, from.ModSeq, st.HighestModSeq)
		}
		fc.UID, fc.Done = from.UID, s.doneUpTo(name, *from)
	}

	selected := false
	if from != nil && s.opts.AfterImport != AfterKeep && fc.Done < fc.UID {
		if err := r.selectFolder(name, false, fc.UIDValidity); err != nil {
			return fc, err
		}
		selected = true
		if err := s.afterImport(c, name, fc.Done+1, fc.UID); err != nil {
			return fc, err
		}
		fc.Done = fc.UID
		s.done[name] = folderDone{uidValidity: fc.UIDValidity, uid: fc.UID}
	}
	if selected {
		defer r.unselect()
	}
	if st.UIDNext != 0 && uint32(st.UIDNext) <= fc.UID+1 {
		return fc, nil // nothing above the cursor: STATUS was the only command
	}
	if !selected {
		if err := r.selectFolder(name, true, fc.UIDValidity); err != nil {
			return fc, err
		}
		defer r.unselect()
	}
	uidNext := r.selUIDNext
	if sel := c.Mailbox(); sel == nil || sel.NumMessages > 0 {
		uids, err := r.uidsAbove(name, fc.UID)
		if err != nil {
			return fc, err
		}
		if len(uids) > 0 {
			if err := r.fetch(name, fc.UIDValidity, uids); err != nil {
				return fc, err
			}
			fc.UID = max(fc.UID, uint32(uids[len(uids)-1]))
		}
	}
	if uidNext > 0 {
		fc.UID = max(fc.UID, uidNext-1)
	}
	return fc, nil
}

// selectFolder selects (readOnly: examines) a folder and checks that its
// UIDVALIDITY is still the one STATUS reported.
func (r *folderRun) selectFolder(name string, readOnly bool, uidValidity uint32) error {
	r.s.count()
	data, err := r.c.Select(name, &imap.SelectOptions{ReadOnly: readOnly}).Wait()
	if err != nil {
		return r.s.folderErr(name, "SELECT", err)
	}
	r.selUIDNext = uint32(data.UIDNext)
	if data.UIDValidity != uidValidity {
		return adapters.Errorf(adapters.CodeTemporary, "imap: folder %q was recreated (UIDVALIDITY %d, now %d)", name, uidValidity, data.UIDValidity)
	}
	return nil
}

// unselect leaves the selected folder. A server may answer STATUS of the
// selected folder from that session's stale view (Dovecot does), so the
// next run's STATUS must not find it selected. Errors are ignored: a
// failure here leaves the connection to be checked by the next command.
func (r *folderRun) unselect() { r.s.unselect(r.c) }

// unselect leaves the selected folder of c, if any (see folderRun.unselect).
func (s *Source) unselect(c *imapclient.Client) {
	if c.State() != imap.ConnStateSelected {
		return
	}
	s.count()
	if c.Caps().Has(imap.CapUnselect) || c.Caps().Has(imap.CapIMAP4rev2) {
		_ = c.Unselect().Wait()
		return
	}
	// Without UNSELECT, a failed EXAMINE leaves the authenticated state
	// (RFC 3501 6.3.1); CLOSE would expunge, which gwsync never does.
	_, _ = c.Select("gwsync-no-such-folder-to-unselect", &imap.SelectOptions{ReadOnly: true}).Wait()
}
