package mailmsg

import "strings"

// withoutControls returns s without the C0 control characters and DEL
// (NUL, escape, bell, ...) that no subject or body shows and that some
// CRMs' databases refuse (a NUL fails a PostgreSQL text column): one bad
// byte must not make the whole message unwritable. keep lists the
// controls that stay (line breaks and tabs in a body); in a subject a tab
// becomes a space. changed says whether anything was removed.
func withoutControls(s, keep string) (out string, changed bool) {
	if !hasRemovable(s, keep) {
		return s, false
	}
	out = strings.Map(func(r rune) rune {
		switch {
		case !isControl(r) || strings.ContainsRune(keep, r):
			return r
		case r == '\t':
			return ' '
		}
		return -1
	}, s)
	return out, out != s
}

// hasRemovable says whether s holds a control that keep does not list. A
// body's lines all end in a kept '\n': testing for any control sent
// every body through strings.Map's copy.
func hasRemovable(s, keep string) bool {
	for i := 0; i < len(s); i++ { // controls are ASCII: one byte each in UTF-8
		if c := s[i]; (c < 0x20 || c == 0x7f) && strings.IndexByte(keep, c) < 0 {
			return true
		}
	}
	return false
}
