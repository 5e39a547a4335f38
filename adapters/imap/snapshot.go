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
	// Debug, not Info: a worker syncs thousands of users, each run says
	// its outcome in the worker's own line, and a plugin's line costs an
	// encoding, a pipe and a parse in the host (a few percent of a
	// no-change run's CPU in the scale benchmark).
	s.logger.Debug("imap snapshot", "account", s.account(), "items", r.count,
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
}

// folder reads one folder from the cursor from (nil: from the start) and
// returns its new cursor.
//
// One EXAMINE (SELECT when after_import has work) answers everything a
// cursor needs: UIDVALIDITY, UIDNEXT, the message count and, with
// CONDSTORE, HIGHESTMODSEQ. So a folder without news costs that one
// command, and one with news (up to batchSize candidates) one UID FETCH
// more; no STATUS, no SEARCH. The folder stays selected: the next
// snapshot selects again, which a server answers from a fresh view, and
// the one STATUS gwsync sends (Discover) unselects first.
func (r *folderRun) folder(name string, from *folderCursor) (folderCursor, error) {
	s := r.s
	// after_import on what the stored cursor covers needs the folder
	// read-write; otherwise it is examined (read-only, no \Recent reset).
	writable := from != nil && s.opts.AfterImport != AfterKeep && s.doneUpTo(name, *from) < from.UID
	sel, err := r.selectFolder(name, !writable)
	if err != nil {
		return folderCursor{}, err
	}
	fc := folderCursor{UIDValidity: sel.UIDValidity, ModSeq: sel.HighestModSeq}
	if from != nil {
		if from.UIDValidity != sel.UIDValidity {
			return fc, adapters.Errorf(adapters.CodeCursorInvalid, "imap: folder %q: UIDVALIDITY changed from %d to %d (folder recreated); the cursor is void", name, from.UIDValidity, sel.UIDValidity)
		}
		if r.c.Caps().Has(imap.CapCondStore) && sel.HighestModSeq < from.ModSeq {
			return fc, adapters.Errorf(adapters.CodeCursorInvalid, "imap: folder %q: HIGHESTMODSEQ went back from %d to %d (server restored); the cursor is void", name, from.ModSeq, sel.HighestModSeq)
		}
		fc.UID, fc.Done = from.UID, s.doneUpTo(name, *from)
	}
	if writable {
		if err := s.afterImport(r.c, name, fc.Done+1, fc.UID); err != nil {
			return fc, err
		}
		fc.Done = fc.UID
		s.done[name] = folderDone{uidValidity: fc.UIDValidity, uid: fc.UID}
	}
	uidNext := uint32(sel.UIDNext)
	if sel.NumMessages > 0 && (uidNext == 0 || uidNext > fc.UID+1) {
		last, err := r.fetchAbove(name, fc.UIDValidity, fc.UID, uidNext, sel.NumMessages)
		if err != nil {
			return fc, err
		}
		fc.UID = max(fc.UID, last)
	}
	if uidNext > 0 {
		// Every message below UIDNEXT existed when the folder was
		// selected, so the fetch saw it (or it is gone).
		fc.UID = max(fc.UID, uidNext-1)
	}
	return fc, nil
}

// fetchAbove emits the messages of the selected folder with a UID above
// uid and returns the highest UID it fetched. uidNext (0: unknown) and
// exists bound how many there can be: when that is at most batchSize, one
// UID FETCH of the range reads them; otherwise UID SEARCH lists them for
// batches whose command lines stay short.
func (r *folderRun) fetchAbove(name string, uidValidity, uid, uidNext, exists uint32) (uint32, error) {
	if uidNext != 0 && min(exists, uidNext-1-uid) <= uint32(batchSize) {
		var set imap.UIDSet
		set.AddRange(imap.UID(uid+1), imap.UID(uidNext-1))
		lo, hi := imap.UID(uid), imap.UID(uidNext)
		b := fetchBatch{set: set, asked: func(u imap.UID) bool { return u > lo && u < hi }}
		return uidNext - 1, r.fetch(name, uidValidity, []fetchBatch{b})
	}
	uids, err := r.uidsAbove(name, uid)
	if err != nil || len(uids) == 0 {
		return 0, err
	}
	return uint32(uids[len(uids)-1]), r.fetch(name, uidValidity, listBatches(uids))
}

// selectFolder selects (readOnly: examines) a folder, asking for
// HIGHESTMODSEQ where the server has CONDSTORE.
func (r *folderRun) selectFolder(name string, readOnly bool) (*imap.SelectData, error) {
	r.s.count()
	data, err := r.c.Select(name, &imap.SelectOptions{ReadOnly: readOnly, CondStore: r.c.Caps().Has(imap.CapCondStore)}).Wait()
	if err != nil {
		return nil, r.s.folderErr(name, "SELECT", err)
	}
	return data, nil
}

// selectSame selects a folder and checks that its UIDVALIDITY is still
// uidValidity (a cursor's): Temporary when the folder was recreated.
func (r *folderRun) selectSame(name string, readOnly bool, uidValidity uint32) error {
	data, err := r.selectFolder(name, readOnly)
	if err != nil {
		return err
	}
	if data.UIDValidity != uidValidity {
		return adapters.Errorf(adapters.CodeTemporary, "imap: folder %q was recreated (UIDVALIDITY %d, now %d)", name, uidValidity, data.UIDValidity)
	}
	return nil
}

// unselect leaves the selected folder of c, if any. A server may answer
// STATUS of the selected folder from that session's stale view (Dovecot
// does), so Discover's STATUS must not find it selected. Errors are
// ignored: a failure here leaves the connection to be checked by the next
// command.
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
