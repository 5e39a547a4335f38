package mailmsg

import "strings"

// withoutControls returns s without the C0 control characters and DEL
// (NUL, escape, bell, ...) that no subject or body shows and that some
// CRMs' databases refuse (a NUL fails a PostgreSQL text column): one bad
// byte must not make the whole message unwritable. keep lists the
// controls that stay (line breaks and tabs in a body); in a subject a tab
// becomes a space. changed says whether anything was removed.
func withoutControls(s, keep string) (out string, changed bool) {
	if !strings.ContainsFunc(s, isControl) {
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
