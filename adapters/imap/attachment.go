package imap

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

// ReadAttachment returns the decoded content of body section part of the
// message itemID ("<folder>/<UIDVALIDITY>/<UID>"), which the snapshot
// listed with that Part because store_attachments is on and the
// attachment was within attachment_max_bytes.
//
// Memory stays bounded by limit whatever the message: the section's
// encoded size is read from BODYSTRUCTURE first and a section that could
// not decode to at most limit bytes is refused unread; then UID FETCH
// BODY.PEEK[part] (which leaves \Seen alone) is decoded as it streams in,
// holding at most limit+1 decoded bytes.
//
// Errors: Unsupported when store_attachments is off; NotFound when the
// item id or part is not one of this source's, the folder is gone or was
// recreated (another UIDVALIDITY: the UID now names another message or
// none), the UID is gone, or the message has no such single part;
// InvalidItem when the content exceeds limit or cannot be decoded;
// Temporary for connection trouble (the connection is dropped and
// redialled on the next call); Unauthorized.
func (s *Source) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	if !s.opts.StoreAttachments {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "imap: store_attachments is off")
	}
	ref, err := s.parseItemID(itemID)
	if err != nil {
		return nil, err
	}
	path, err := parseSection(part)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.idle()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	data, err := s.readSection(c, ref, path, part, limit)
	switch {
	case err == nil:
		return data, nil
	case ctx.Err() != nil:
		s.drop()
		return nil, ctx.Err()
	case adapters.CodeOf(err) == adapters.CodeTemporary:
		s.drop()
	}
	return nil, err
}

// itemRef is a parsed item id.
type itemRef struct {
	folder      string
	uidValidity uint32
	uid         imap.UID
}

// parseItemID reads "<folder>/<UIDVALIDITY>/<UID>"; the folder may itself
// hold slashes. Errors: NotFound for anything else, or a folder this
// source does not read.
func (s *Source) parseItemID(id string) (itemRef, error) {
	notFound := adapters.Errorf(adapters.CodeNotFound, "imap: %q is not an item of this source", id)
	rest, uidText, ok1 := cutLast(id, "/")
	folder, uvText, ok2 := cutLast(rest, "/")
	uv, err1 := strconv.ParseUint(uvText, 10, 32)
	uid, err2 := strconv.ParseUint(uidText, 10, 32)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || uid == 0 || !s.reads(folder) {
		return itemRef{}, notFound
	}
	return itemRef{folder: folder, uidValidity: uint32(uv), uid: imap.UID(uid)}, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (s *Source) reads(folder string) bool {
	for _, f := range s.opts.Folders {
		if f == folder {
			return true
		}
	}
	return false
}

// parseSection reads a body section path, "2" or "1.2". Errors: NotFound.
func parseSection(part string) ([]int, error) {
	var path []int
	for _, p := range strings.Split(part, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || p != strconv.Itoa(n) {
			return nil, adapters.Errorf(adapters.CodeNotFound, "imap: %q is not a body section", part)
		}
		path = append(path, n)
	}
	return path, nil
}

// readSection does the IMAP conversation of ReadAttachment on c.
func (s *Source) readSection(c *imapclient.Client, ref itemRef, path []int, part string, limit int64) ([]byte, error) {
	s.count()
	sel, err := c.Select(ref.folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, s.folderErr(ref.folder, "EXAMINE", err)
	}
	defer s.unselect(c)
	if sel.UIDValidity != ref.uidValidity {
		return nil, adapters.Errorf(adapters.CodeNotFound, "imap: folder %q was recreated (UIDVALIDITY %d, the item is of %d): UID %d is gone",
			ref.folder, sel.UIDValidity, ref.uidValidity, ref.uid)
	}
	single, err := s.sectionStructure(c, ref, path, part)
	if err != nil {
		return nil, err
	}
	bound := maxEncoded(single.Encoding, limit)
	if int64(single.Size) > bound {
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "imap: UID %d section %s: %d encoded bytes (%s) cannot fit the limit of %d bytes",
			ref.uid, part, single.Size, single.Encoding, limit)
	}
	return s.fetchSection(c, ref, path, part, single.Encoding, bound, limit)
}

// sectionStructure finds the section in the message's BODYSTRUCTURE.
// Errors: NotFound when the UID or the section is gone, or the section is
// a multipart (not an attachment); Temporary, Unknown as folderErr.
func (s *Source) sectionStructure(c *imapclient.Client, ref itemRef, path []int, part string) (*imap.BodyStructureSinglePart, error) {
	s.count()
	msgs, err := c.Fetch(imap.UIDSetNum(ref.uid), &imap.FetchOptions{UID: true, BodyStructure: &imap.FetchItemBodyStructure{}}).Collect()
	if err != nil {
		return nil, s.folderErr(ref.folder, "UID FETCH BODYSTRUCTURE", err)
	}
	var bs imap.BodyStructure
	for _, m := range msgs {
		if m.UID == ref.uid {
			bs = m.BodyStructure
		}
	}
	if bs == nil {
		return nil, adapters.Errorf(adapters.CodeNotFound, "imap: folder %q: UID %d is gone", ref.folder, ref.uid)
	}
	var found *imap.BodyStructureSinglePart
	bs.Walk(func(p []int, b imap.BodyStructure) bool {
		if sp, ok := b.(*imap.BodyStructureSinglePart); ok && slices.Equal(p, path) {
			found = sp
		}
		return found == nil
	})
	if found == nil {
		return nil, adapters.Errorf(adapters.CodeNotFound, "imap: folder %q: UID %d has no attachment section %s", ref.folder, ref.uid, part)
	}
	return found, nil
}

// maxEncoded is the most encoded bytes a section may have and still
// decode to at most limit bytes: base64 takes 4 characters per 3 bytes
// plus line breaks (about 1.37), quoted-printable up to 3 per byte, other
// encodings one; 4 KiB of slack covers line ends and padding.
func maxEncoded(encoding string, limit int64) int64 {
	switch strings.ToLower(encoding) {
	case "base64":
		return limit/5*7 + 4096
	case "quoted-printable":
		return 3*limit + 4096
	}
	return limit + 4096
}

// fetchSection streams BODY.PEEK[part] through mailmsg.DecodePart. A
// literal larger than bound (the server's BODYSTRUCTURE lied) is not
// read: the connection is dropped instead, which is cheaper.
func (s *Source) fetchSection(c *imapclient.Client, ref itemRef, path []int, part, encoding string, bound, limit int64) ([]byte, error) {
	s.count()
	cmd := c.Fetch(imap.UIDSetNum(ref.uid), &imap.FetchOptions{UID: true,
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierNone, Part: path, Peek: true}}})
	var (
		data    []byte
		readErr error
		got     bool
	)
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			body, ok := item.(imapclient.FetchItemDataBodySection)
			if !ok || body.Literal == nil || got {
				continue
			}
			got = true
			if body.Literal.Size() > bound {
				s.dropAsync()
				return nil, adapters.Errorf(adapters.CodeInvalidItem, "imap: UID %d section %s: the server sends %d bytes, more than the %d its BODYSTRUCTURE allows for the limit",
					ref.uid, part, body.Literal.Size(), bound)
			}
			data, readErr = mailmsg.DecodePart(encoding, body.Literal, limit)
			_, _ = io.Copy(io.Discard, body.Literal) // what DecodePart left, at most bound
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, s.folderErr(ref.folder, "UID FETCH BODY.PEEK["+part+"]", err)
	}
	if !got {
		return nil, adapters.Errorf(adapters.CodeNotFound, "imap: folder %q: UID %d section %s: the server sent no content", ref.folder, ref.uid, part)
	}
	if readErr != nil {
		if adapters.CodeOf(readErr) == adapters.CodeUnknown {
			return nil, adapters.Wrap(adapters.CodeTemporary, readErr, fmt.Sprintf("imap: %s: reading UID %d section %s", s.ep.display, ref.uid, part))
		}
		return nil, fmt.Errorf("imap: UID %d section %s: %w", ref.uid, part, readErr)
	}
	return data, nil
}

var _ adapters.AttachmentReader = (*Source)(nil)
