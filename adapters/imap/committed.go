package imap

import (
	"context"
	"errors"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/gwsync/gwsync/adapters"
)

// folderDone is how far Committed has applied after_import in a folder:
// every UID up to uid, under that UIDVALIDITY.
type folderDone struct{ uidValidity, uid uint32 }

// Committed applies after_import at once to the messages the stored cursor
// covers and no earlier pass did (Done+1 .. UID of each folder), instead of
// leaving them for the next snapshot; see "After import" in the package
// doc. It remembers what it did, so the next snapshot and the next
// Committed of this Source skip those UIDs and its next cursor records
// them as done. With after_import: keep it does nothing.
//
// Errors: CursorInvalid for a cursor that is not ours; NotFound when a
// folder (or, for move, move_to) cannot be found or created; Temporary for
// network trouble and a folder recreated since the cursor (its UIDs then
// name other messages: nothing is done there); Unauthorized. A failed
// folder does not stop the others; its messages are caught up by the next
// snapshot.
func (s *Source) Committed(ctx context.Context, raw string) error {
	if s.opts.AfterImport == AfterKeep {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.idle()
	cur, err := s.decodeCursor(raw)
	if err != nil || cur == nil {
		return err
	}
	var c *imapclient.Client
	var errs []error
	for _, name := range s.opts.Folders {
		fc, ok := cur.Folders[name]
		if !ok {
			continue
		}
		from := s.doneUpTo(name, fc)
		if from >= fc.UID {
			continue
		}
		if c == nil {
			if c, err = s.conn(ctx); err != nil {
				return errors.Join(append(errs, err)...)
			}
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
		}
		r := &folderRun{s: s, c: c, wire: s.wire, ctx: ctx}
		err := r.selectSame(name, false, fc.UIDValidity)
		if err == nil {
			// The folder stays selected: see folderRun.folder.
			err = s.afterImport(c, name, from+1, fc.UID)
		}
		switch {
		case ctx.Err() != nil:
			s.drop()
			return ctx.Err()
		case err != nil:
			errs = append(errs, err)
			s.dropIfBroken(err)
			if s.client == nil {
				return errors.Join(errs...) // the connection is gone: the next snapshot catches up
			}
			continue
		}
		s.done[name] = folderDone{uidValidity: fc.UIDValidity, uid: fc.UID}
	}
	return errors.Join(errs...)
}

// doneUpTo is the highest UID of folder name after_import has been applied
// to: the cursor's Done, or further when Committed of this Source went
// further in the same folder incarnation (same UIDVALIDITY). It never
// exceeds the cursor's UID, so Done <= UID holds in every cursor. s.mu
// must be held.
func (s *Source) doneUpTo(name string, fc folderCursor) uint32 {
	d, ok := s.done[name]
	if !ok || d.uidValidity != fc.UIDValidity {
		return fc.Done
	}
	return max(fc.Done, min(d.uid, fc.UID))
}

var _ adapters.Committer = (*Source)(nil)
