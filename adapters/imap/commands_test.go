package imap_test

import (
	"testing"

	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// TestCommandsPerRead pins the round trips of one user's read, login and
// logout included, as the scale benchmark's worker does it: a first read
// is LOGIN, EXAMINE, UID FETCH, LOGOUT; a read without news LOGIN,
// EXAMINE, LOGOUT; a read with news adds the one UID FETCH. A command
// added here costs every user of every cycle.
func TestCommandsPerRead(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("a@x", "A", "kunde@example.org"), msg("b@x", "B", "kunde@example.org"),
			msg("c@x", "C", "kunde@example.org"))
		read := func(cursor string, wantItems int, wantCommands int64, what string) string {
			t.Helper()
			src := open(t, srv.opts(f))
			items, end := snap(t, src, cursor)
			if err := src.Close(); err != nil {
				t.Fatalf("%s: Close: %v", what, err)
			}
			if len(items) != wantItems {
				t.Errorf("%s: %d items, want %d", what, len(items), wantItems)
			}
			if n := src.Commands(); n != wantCommands {
				t.Errorf("%s: %d commands, want %d", what, n, wantCommands)
			}
			return end.Cursor
		}
		cur := read("", 3, 4, "first read")
		cur = read(cur, 0, 3, "no-change read")
		imaptest.Append(t, c, f, msg("d@x", "D", "kunde@example.org"))
		cur = read(cur, 1, 4, "read with one new message")
		read(cur, 0, 3, "no-change read after it")
	})
}
