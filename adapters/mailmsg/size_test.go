package mailmsg

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestEncodedSizeMatchesDecoder checks the counted size against the real
// decoders, for every padding case and with line breaks and indents.
func TestEncodedSizeMatchesDecoder(t *testing.T) {
	for n := 0; n < 80; n++ {
		raw := strings.Repeat("x\x00\xff", n)[:n]
		enc := base64.StdEncoding.EncodeToString([]byte(raw))
		var wrapped strings.Builder
		for i := 0; i < len(enc); i += 7 {
			wrapped.WriteString(enc[i:min(i+7, len(enc))] + "\r\n \t")
		}
		got, err := encodedSize("Base64", strings.NewReader(wrapped.String()))
		if err != nil || got != int64(n) {
			t.Errorf("base64 of %d bytes: size %d, %v", n, got, err)
		}
	}
	for enc, body := range map[string]string{"": "abc\r\n", "8bit": "Grüße\r\n", "quoted-printable": "Gr=C3=BC=\r\n=C3=9Fe"} {
		want := map[string]int64{"": 5, "8bit": 9, "quoted-printable": 7}[enc]
		if got, err := encodedSize(enc, strings.NewReader(body)); err != nil || got != want {
			t.Errorf("%q: size %d, %v; want %d", enc, got, err, want)
		}
	}
}

func TestEncodedSizeDamaged(t *testing.T) {
	cases := []struct {
		enc, body string
		size      int64
		err       func(error) bool
	}{
		{"base64", "SGFsbG8g!!!", 6, func(err error) bool { return errors.As(err, new(base64.CorruptInputError)) }},
		{"base64", "SGFsbG8gd", 6, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{"base64", "SGE=SGE=", 0, func(err error) bool { return errors.As(err, new(base64.CorruptInputError)) }},
		{"base64", "S===", 0, func(err error) bool { return errors.As(err, new(base64.CorruptInputError)) }},
		{"x-uuencode", "begin 644 a\n", 12, func(err error) bool { return err != nil && strings.Contains(err.Error(), "x-uuencode") }},
	}
	for _, c := range cases {
		got, err := encodedSize(c.enc, strings.NewReader(c.body))
		if got != c.size || !c.err(err) {
			t.Errorf("%s %q: size %d, err %v; want size %d", c.enc, c.body, got, err, c.size)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	for in, want := range map[string]string{
		"<HTML><HEAD><TITLE>t</TITLE></HEAD><BODY>a \t\r\n b<SCRIPT>x()</SCRIPT>c</BODY>": "a b c",
		"<p>eins</p>\n\n\n<p>zwei&nbsp;&amp; drei</p><ul><li>x</li></ul>":                 "eins\n\nzwei & drei\n\n- x",
		"kein < Tag <b>fett</b>": "kein < Tag fett",
		// What the regex stripper got wrong.
		"vorher<script>alert('x')":                                        "vorher",                 // an unclosed script is script to the end
		"a<style>p{color:red}":                                            "a",                      // likewise a style
		"<p title=\"a > b\">Text</p>":                                     "Text",                   // ">" inside an attribute
		"<!-- <p>kommentiert</p> -->sichtbar":                             "sichtbar",               // tags inside a comment
		"x<script>document.write('</scr'+'ipt>')</script>y":               "x y",                    // the script's own text
		"&#x41;&#66;&lt;&gt;&quot;&auml;&euro;&amp;amp;&unknown;":         "AB<>\"ä€&amp;&unknown;", // entities
		"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>": "a b\nc",
		"<b>fett</b":                         "fett", // a tag cut off at the end
		"<div>eins<div>zwei</div>drei</div>": "eins\nzwei\ndrei",
		"<body>Tschüß<br/>Zeile</body>":      "Tschüß\nZeile",
	} {
		if got := HTMLToText(in); got != want {
			t.Errorf("HTMLToText(%q) = %q, want %q", in, got, want)
		}
	}
}
