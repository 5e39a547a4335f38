package imap

import (
	"errors"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// afterImport applies after_import to the UIDs lo..hi of the selected
// folder, which the previous, committed cursor covered. flag adds the
// keyword; move uses MOVE (creating the target once if the server asks
// for it), or, on a server without MOVE, COPY plus the keyword: gwsync
// never deletes a message.
func (s *Source) afterImport(c *imapclient.Client, folder string, lo, hi uint32) error {
	var set imap.UIDSet
	set.AddRange(imap.UID(lo), imap.UID(hi))
	switch s.opts.AfterImport {
	case AfterFlag:
		return s.flag(c, folder, set)
	case AfterMove:
		err := s.moveOrCopy(c, set)
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

func (s *Source) flag(c *imapclient.Client, folder string, set imap.UIDSet) error {
	s.count()
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.Flag(s.opts.Keyword)}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return s.folderErr(folder, "UID STORE", err)
	}
	return nil
}
