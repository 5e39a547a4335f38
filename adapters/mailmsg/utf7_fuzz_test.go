package mailmsg

import (
	"bytes"
	"io"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// FuzzUTF7 checks that any input decodes to valid UTF-8 in bounded output,
// through the streaming reader as go-message uses it.
func FuzzUTF7(f *testing.F) {
	for _, s := range []string{"Hi Mom -+Jjo--!", "+2D3cAQ-", "+", "+-", "a+ZeVnLIqe-", "+AAAAAAAAAAAAAAA"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := transform.NewReader(bytes.NewReader(in), utf7Encoding{}.NewDecoder())
		out, err := io.ReadAll(io.LimitReader(r, int64(4*len(in)+16)))
		if err != nil {
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("%q decodes to invalid UTF-8 %q", in, out)
		}
	})
}
