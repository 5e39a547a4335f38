package imap

import (
	"context"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/gwsync/gwsync/adapters"
)

// specialUses are the RFC 6154 attributes a folder list shows.
var specialUses = []imap.MailboxAttr{imap.MailboxAttrAll, imap.MailboxAttrArchive, imap.MailboxAttrDrafts,
	imap.MailboxAttrFlagged, imap.MailboxAttrJunk, imap.MailboxAttrSent, imap.MailboxAttrTrash}

// Discover lists the account's folders with their message counts (one
// LIST, then a STATUS per selectable folder) and special use. Folder
// names are decoded (UTF-8), as the folders option takes them.
// Errors: as Info.
func (s *Source) Discover(ctx context.Context) ([]adapters.Offer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.idle()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	s.count()
	boxes, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: c.Caps().Has(imap.CapSpecialUse)}).Collect()
	if err != nil {
		s.drop()
		return nil, s.connErr(ctx, err, "LIST")
	}
	// A server may answer STATUS of the selected folder from that
	// session's stale view (Dovecot does), and a snapshot leaves its last
	// folder selected.
	s.unselect(c)
	var out []adapters.Offer
	for _, b := range boxes {
		o := adapters.Offer{What: "folder", Name: b.Mailbox, Path: b.Mailbox, Option: "folders", Messages: -1}
		var uses []string
		selectable := true
		for _, a := range b.Attrs {
			if a == imap.MailboxAttrNoSelect || a == imap.MailboxAttrNonExistent {
				selectable = false
			}
			for _, u := range specialUses {
				if strings.EqualFold(string(a), string(u)) {
					uses = append(uses, string(u))
				}
			}
		}
		o.SpecialUse = strings.Join(uses, " ")
		if !selectable {
			continue
		}
		s.count()
		st, err := c.Status(b.Mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			s.drop()
			return nil, s.connErr(ctx, err, "STATUS "+b.Mailbox)
		}
		if st.NumMessages != nil {
			o.Messages = int64(*st.NumMessages)
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

var _ adapters.Discoverer = (*Source)(nil)
