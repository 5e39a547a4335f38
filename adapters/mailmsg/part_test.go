package mailmsg

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// parts lists "name=part" of an item's attachments.
func parts(it adapters.Item) string {
	var out []string
	for _, a := range it.Attachments {
		out = append(out, a.Name+"="+a.Part)
	}
	return strings.Join(out, " ")
}

// Attachment parts carry their IMAP section (RFC 3501 6.4.5).
func TestAttachmentSectionNumbers(t *testing.T) {
	head := "Message-ID: <p@example.com>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\n"
	cases := []struct{ name, msg, want string }{
		{"single part: the body is part 1", head + "Content-Type: application/pdf; name=\"a.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n",
			"a.pdf=1"},
		{"mixed with nested alternative", head + `Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain

text
--alt
Content-Type: text/html

<p>text</p>
--alt
Content-Type: image/png; name="inline.png"
Content-Transfer-Encoding: base64

iVBORw0K
--alt--
--outer
Content-Type: application/pdf; name="b.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/csv; name="c.csv"

x,y
--inner--
--outer--
`, "inline.png=1.3 b.pdf=2 c.csv=3.1"},
		{"message/rfc822 is one part, its insides are not numbered", head + `Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

see below
--b
Content-Type: message/rfc822

From: x@example.org
Subject: inner
Content-Type: multipart/mixed; boundary="i"

--i
Content-Type: application/zip; name="inner.zip"

PK
--i--
--b
Content-Type: application/pdf; name="after.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b--
`, "attached-message.eml=2 after.pdf=3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := parts(parse(t, crlf(tc.msg))); got != tc.want {
				t.Errorf("parts %q, want %q", got, tc.want)
			}
		})
	}
}

// A part whose encoding is broken cannot be decoded later: no Part.
func TestBrokenAttachmentHasNoPart(t *testing.T) {
	it := parse(t, crlf("Message-ID: <p@example.com>\nFrom: a@example.com\nSubject: s\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf; name=\"x.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBE!!!RiK\n--b--\n"))
	if len(it.Attachments) != 1 || it.Attachments[0].Part != "" {
		t.Fatalf("attachments %+v", it.Attachments)
	}
}

func TestDecodePart(t *testing.T) {
	bin := make([]byte, 3000)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(bin)
	var lines strings.Builder
	for i := 0; i < len(enc); i += 76 {
		lines.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
	}
	cases := []struct {
		name, encoding, raw string
		want                []byte
	}{
		{"base64 in lines", "base64", lines.String(), bin},
		{"base64 with spaces and tabs", "Base64", " JVBE\tRi0x\r\n LjQK \r\n", []byte("%PDF-1.4\n")},
		{"quoted-printable", "quoted-printable", "Gr=C3=BC=C3=9Fe, soft=\r\nbreak=3D\r\n", []byte("Grüße, softbreak=\r\n")},
		{"8bit as is", "8bit", "a\r\nb\xff", []byte("a\r\nb\xff")},
		{"binary as is", "binary", "\x00\x01", []byte("\x00\x01")},
		{"no encoding", "", "plain", []byte("plain")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodePart(tc.encoding, strings.NewReader(tc.raw), 1<<20)
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDecodePartErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		encoding, raw string
		limit         int64
	}{
		"base64 garbage":   {"base64", "JVBE*RiK\r\n", 100},
		"unknown encoding": {"x-uuencode", "begin 644 a\n", 100},
		"over the limit":   {"base64", "JVBERi0xLjQK", 8},
		"8bit over limit":  {"8bit", "123456789", 8},
	} {
		_, err := DecodePart(tc.encoding, strings.NewReader(tc.raw), tc.limit)
		if adapters.CodeOf(err) != adapters.CodeInvalidItem {
			t.Errorf("%s: %v, want InvalidItem", name, err)
		}
	}
	if got, err := DecodePart("8bit", strings.NewReader("12345678"), 8); err != nil || len(got) != 8 {
		t.Errorf("exactly the limit: %q, %v", got, err)
	}
	// A read error of the source is not the content's fault.
	broken := io.MultiReader(strings.NewReader("JVBE"), iotest.ErrReader(io.ErrClosedPipe))
	if _, err := DecodePart("base64", broken, 100); adapters.CodeOf(err) == adapters.CodeInvalidItem || err == nil {
		t.Errorf("read error came back as %v (%s)", err, adapters.CodeOf(err))
	}
}

// Render writes attachments with Data; Parse reads them back with their
// size and section, and the section decodes to the same bytes.
func TestRenderAttachmentsRoundTrip(t *testing.T) {
	data := []byte("%PDF-1.4\x00\xff binary \r\n content")
	in := adapters.Item{Key: "mid:r@example.com", Kind: adapters.KindMessage, From: "a@example.com", Subject: "Vertrag", Date: time.Date(2027, 1, 13, 10, 0, 0, 0, time.UTC),
		Body: "Anbei.", Attachments: []adapters.Attachment{{Name: "Vertrag – Entwurf.pdf", Type: "application/pdf", Data: data}}}
	raw := Render(in)
	it, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if it.Body != "Anbei." || len(it.Attachments) != 1 || len(it.Warnings) != 0 {
		t.Fatalf("item %+v", it)
	}
	a := it.Attachments[0]
	if a.Name != "Vertrag – Entwurf.pdf" || a.Type != "application/pdf" || a.Size != int64(len(data)) || a.Part != "2" {
		t.Fatalf("attachment %+v", a)
	}
	// The part's raw body, as IMAP's BODY[2] would return it.
	_, rest, _ := bytes.Cut(raw, []byte("Content-Transfer-Encoding: base64\r\n\r\n"))
	body, _, _ := bytes.Cut(rest, []byte("\r\n--gwsync-render-boundary--"))
	got, err := DecodePart("base64", bytes.NewReader(body), a.Size)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("decoded %q, %v", got, err)
	}
}

func TestLimitParts(t *testing.T) {
	list := []adapters.Attachment{{Name: "small", Size: 10, Part: "2"}, {Name: "big", Size: 11, Part: "3"}}
	LimitParts(list, 10)
	if list[0].Part != "2" || list[1].Part != "" {
		t.Fatalf("%+v", list)
	}
	LimitParts(list, 0)
	if list[0].Part != "" {
		t.Fatalf("%+v", list)
	}
}
