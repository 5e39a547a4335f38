package imap

import (
	"errors"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// afterImport applies after_import to the UIDs lo..hi of the selected
// folder, which a stored cursor covered (Committed, or the start of the
// next snapshot). flag adds the keyword; move uses MOVE (creating the
// target once if the server asks for it), or, on a server without MOVE,
// COPY plus the keyword: gwsync never deletes a message.
//
// Applying it twice to the same UIDs is harmless, because both callers
// may: a keyword set again changes nothing, and move acts only on what
// toMove finds still to do, so messages already moved or copied are left
// alone.
func (s *Source) afterImport(c *imapclient.Client, folder string, lo, hi uint32) error {
	var set imap.UIDSet
	set.AddRange(imap.UID(lo), imap.UID(hi))
	switch s.opts.AfterImport {
	case AfterFlag:
		return s.flag(c, folder, set)
	case AfterMove:
		set, err := s.toMove(c, folder, set)
		if err != nil || len(set) == 0 {
			return err
		}
		err = s.moveOrCopy(c, set)
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeTryCreate {
			s.count()
			if cerr := c.Create(s.opts.MoveTo, nil).Wait(); cerr != nil {
				return s.folderErr(s.opts.MoveTo, "CREATE", cerr)
			}
			err = s.moveOrCopy(c, set)
		}
		if err != nil {
			return s.folderErr(s.opts.MoveTo, "MOVE to", err)
		}
		if !c.Caps().Has(imap.CapMove) {
			return s.flag(c, folder, set)
		}
	}
	return nil
}

func (s *Source) moveOrCopy(c *imapclient.Client, set imap.UIDSet) error {
	s.count()
	if c.Caps().Has(imap.CapMove) {
		_, err := c.Move(set, s.opts.MoveTo).Wait()
		return err
	}
	_, err := c.Copy(set, s.opts.MoveTo).Wait()
	return err
}

// toMove narrows set to the messages of the selected folder that still
// need moving: those still there, and on a server without MOVE (where
// COPY leaves them there) those without the keyword yet. Asking first
// matters: UID MOVE or COPY of UIDs that are all gone should be a no-op
// (RFC 3501 6.4.8), but servers answer it with NO or, like go-imap's
// own server, with a COPYUID the client cannot parse.
func (s *Source) toMove(c *imapclient.Client, folder string, set imap.UIDSet) (imap.UIDSet, error) {
	criteria := &imap.SearchCriteria{UID: []imap.UIDSet{set}}
	if !c.Caps().Has(imap.CapMove) {
		criteria.NotFlag = []imap.Flag{imap.Flag(s.opts.Keyword)}
	}
	s.count()
	data, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return nil, s.folderErr(folder, "UID SEARCH", err)
	}
	uids, _ := data.All.(imap.UIDSet) // nil when nothing matched
	return uids, nil
}

func (s *Source) flag(c *imapclient.Client, folder string, set imap.UIDSet) error {
	s.count()
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.Flag(s.opts.Keyword)}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return s.folderErr(folder, "UID STORE", err)
	}
	return nil
}
