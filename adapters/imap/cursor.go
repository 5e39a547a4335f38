package imap

import (
	"encoding/json"

	"github.com/gwsync/gwsync/adapters"
)

// cursorVersion changes when the cursor's meaning changes; an older cursor
// is then void.
const cursorVersion = 1

// cursor is what SnapshotEnd.Cursor holds, as JSON.
type cursor struct {
	V int `json:"v"`
	// Account is user@host: a cursor of another account is void. The port
	// and TLS mode are left out: switching imap to imaps is the same
	// mailbox.
	Account string                  `json:"account"`
	Folders map[string]folderCursor `json:"folders"`
}

// folderCursor is the incremental state of one folder.
type folderCursor struct {
	UIDValidity uint32 `json:"uidvalidity"`
	// UID is the highest UID the snapshot covered: every message at or
	// below it was emitted (or was gone).
	UID uint32 `json:"uid"`
	// ModSeq is HIGHESTMODSEQ at the snapshot, 0 without CONDSTORE.
	ModSeq uint64 `json:"modseq,omitempty"`
	// Done is the highest UID after_import has been applied to.
	Done uint32 `json:"done,omitempty"`
}

func (s *Source) account() string { return s.opts.Username + "@" + s.ep.host }

// decodeCursor reads a cursor. "" is no cursor (nil). Errors:
// CursorInvalid for a cursor that is not ours or of another account.
func (s *Source) decodeCursor(raw string) (*cursor, error) {
	if raw == "" {
		return nil, nil
	}
	var c cursor
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.V != cursorVersion {
		return nil, adapters.Errorf(adapters.CodeCursorInvalid, "imap: cursor %.40q is not an imap cursor of this version", raw)
	}
	if c.Account != s.account() {
		return nil, adapters.Errorf(adapters.CodeCursorInvalid, "imap: cursor is for %s, not %s", c.Account, s.account())
	}
	if c.Folders == nil {
		c.Folders = map[string]folderCursor{}
	}
	return &c, nil
}

func (c *cursor) encode() string {
	b, _ := json.Marshal(c) // plain structs: cannot fail
	return string(b)
}
