package mailmsg

import (
	"testing"

	"golang.org/x/text/transform"
)

func TestUTF7Decoding(t *testing.T) {
	for in, want := range map[string]string{
		"Hi Mom -+Jjo--!":                        "Hi Mom -☺-!",
		"Gr+APw-+APw-e aus M+APw-nchen, 1 +IKw-": "Grüüe aus München, 1 €",
		"1 +- 1 = 2":                             "1 + 1 = 2",
		"A+ImIDkQ.":                              "A≢Α.",
		"+2D3cAQ-":                               "\U0001F401",
		"plain ascii":                            "plain ascii",
		"+2D0-x":                                 "\uFFFDx", // a lone high surrogate
	} {
		got, _, err := transform.String(utf7Encoding{}.NewDecoder(), in)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
}
