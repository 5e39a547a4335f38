package mailmsg

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func parse(t *testing.T, msg string) adapters.Item {
	t.Helper()
	it, err := Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return it
}

func warned(it adapters.Item, sub string) bool {
	for _, w := range it.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestParseHeaders(t *testing.T) {
	it := parse(t, crlf(`Message-ID:   <Angebot-4711@mail.example.com>  
Date: Tue, 12 Jan 2027 09:15:00 +0100
From: "Müller, Hans" <Hans.Mueller@Example.COM>
To: vertrieb@example.org, "Anna" <anna@example.org>
Cc: =?ISO-8859-1?Q?J=FCrgen?= <juergen@example.org>
Subject: =?ISO-8859-1?Q?Anfrage_f=FCr_ein_Angebot?=
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Guten Tag,=0Abitte schicken Sie uns ein Angebot f=FCr 12 Lizenzen.
`))
	want := time.Date(2027, 1, 12, 8, 15, 0, 0, time.UTC)
	checks := []struct{ got, want any }{
		{it.Kind, adapters.KindMessage},
		{it.Key, "mid:Angebot-4711@mail.example.com"},
		{it.Subject, "Anfrage für ein Angebot"},
		{it.From, "hans.mueller@example.com"},
		{strings.Join(it.To, ","), "vertrieb@example.org,anna@example.org"},
		{strings.Join(it.Cc, ","), "juergen@example.org"},
		{it.Date, want},
		{it.Raster.Start, want},
		{it.Body, "Guten Tag,\nbitte schicken Sie uns ein Angebot für 12 Lizenzen."},
		{len(it.Warnings), 0},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %#v, want %#v", i, c.got, c.want)
		}
	}
}

func TestParseMultipart(t *testing.T) {
	it := parse(t, crlf(`Message-ID: <m2@example.com>
From: kunde@example.org
Date: Wed, 13 Jan 2027 10:00:00 +0000
Subject: Bestellung
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Plain wins.
--alt
Content-Type: text/html; charset=utf-8

<p>HTML loses</p>
--alt--
--outer
Content-Type: application/pdf; name="Bestellung.pdf"
Content-Disposition: attachment; filename="Bestellung.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--outer--
`))
	if it.Body != "Plain wins." {
		t.Errorf("body %q", it.Body)
	}
	if len(it.Attachments) != 1 || !reflect.DeepEqual(it.Attachments[0], adapters.Attachment{Name: "Bestellung.pdf", Type: "application/pdf", Size: 15, Part: "2"}) {
		t.Errorf("attachments %+v", it.Attachments)
	}
	if len(it.Warnings) != 0 {
		t.Errorf("warnings %q", it.Warnings)
	}
}

func TestParseHTMLOnly(t *testing.T) {
	it := parse(t, crlf(`Message-ID: <m3@example.com>
From: kunde@example.org
Subject: HTML
Date: Wed, 13 Jan 2027 10:00:00 +0000
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style></head><body><p>Hallo&nbsp;Team,</p><p>wir   brauchen:<br>
<ul><li>12 Lizenzen</li><li>Schulung &amp; Support</li></ul></p><div>Gr&uuml;&szlig;e</div></body></html>
`))
	want := "Hallo Team,\n\nwir brauchen:\n\n- 12 Lizenzen\n- Schulung & Support\n\nGrüße"
	if it.Body != want {
		t.Errorf("body %q, want %q", it.Body, want)
	}
}

func TestParseDamaged(t *testing.T) {
	cases := []struct {
		name, msg, warning string
		check              func(adapters.Item) bool
	}{
		{"undecodable subject charset", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: =?x-unknown?Q?Hallo?=\n\nbody\n",
			"Subject", func(it adapters.Item) bool { return it.Subject != "" && it.Body == "body" }},
		{"8-bit subject", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: Gr\xfc\xdfe aus K\xf6ln\n\nbody\n",
			"Windows-1252", func(it adapters.Item) bool { return it.Subject == "Grüße aus Köln" }},
		{"unknown body charset", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\nContent-Type: text/plain; charset=x-klingon\n\nqapla\n",
			"charset", func(it adapters.Item) bool { return it.Body == "qapla" }},
		{"bad base64", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGFsbG8g!!!@@@###\n",
			"part 1", func(it adapters.Item) bool { return it.Subject == "s" }},
		{"broken boundary", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nfirst part\n--b1\nContent-Type: text/plain\n\nnever closed",
			"multipart", func(it adapters.Item) bool { return strings.Contains(it.Body, "first part") }},
		{"missing headers", "Subject: only a subject\n\nbody\n",
			"no From", func(it adapters.Item) bool { return strings.HasPrefix(it.Key, "mid-synth:") && it.Date.IsZero() }},
		{"bad address list", "Message-ID: <a@x>\nFrom: Hans, Müller <hans@example.com>>, [kaputt]\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\n\nbody\n",
			"From", func(it adapters.Item) bool { return it.From == "hans@example.com" }},
		{"bad date", "Message-ID: <a@x>\nFrom: a@example.com\nDate: sometime next week\nSubject: s\n\nbody\n",
			"Date", func(it adapters.Item) bool { return it.Date.IsZero() }},
		{"invalid utf-8 body", "Message-ID: <a@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\nContent-Type: text/plain; charset=utf-8\n\nab\xffcd\n",
			"invalid bytes", func(it adapters.Item) bool { return it.Body == "ab\uFFFDcd" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := parse(t, tc.msg)
			if !warned(it, tc.warning) {
				t.Errorf("warnings %q, want one with %q", it.Warnings, tc.warning)
			}
			if !tc.check(it) {
				t.Errorf("item %+v", it)
			}
		})
	}
}

func TestParseNested(t *testing.T) {
	it := parse(t, crlf(`Message-ID: <fwd@example.com>
From: kollege@example.com
Date: Wed, 13 Jan 2027 10:00:00 +0000
Subject: Fwd: Anfrage
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Siehe unten.
--b
Content-Type: message/rfc822

Message-ID: <inner@example.org>
From: kunde@example.org
Subject: Anfrage

Innerer Text.
--b--
`))
	if it.Body != "Siehe unten." || len(it.Attachments) != 1 || it.Attachments[0].Type != "message/rfc822" || it.Attachments[0].Size == 0 {
		t.Errorf("item %+v", it)
	}
}

func TestParseErrors(t *testing.T) {
	for name, msg := range map[string]string{
		"empty":     "",
		"no header": "Hallo Herr Müller\nwie besprochen\n",
		"blank":     "\r\n\r\nbody only\r\n",
	} {
		if _, err := Parse(strings.NewReader(msg)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSyntheticKeyStable(t *testing.T) {
	msg := "From: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\n\nbody\n"
	a, b := parse(t, msg), parse(t, msg)
	c := parse(t, msg+"more\n")
	if a.Key != b.Key || a.Key == c.Key || !strings.HasPrefix(a.Key, "mid-synth:") {
		t.Errorf("keys %q %q %q", a.Key, b.Key, c.Key)
	}
	want := SyntheticKey(time.Date(2027, 1, 13, 10, 0, 0, 0, time.UTC), "a@example.com", "s", int64(len(msg)))
	if a.Key != want {
		t.Errorf("key %q, want %q", a.Key, want)
	}
}

func TestBodyCapped(t *testing.T) {
	big := strings.Repeat("0123456789abcdef\n", 2*MaxBodyBytes/17)
	it := parse(t, "Message-ID: <big@x>\nFrom: a@example.com\nDate: Wed, 13 Jan 2027 10:00:00 +0000\nSubject: s\n\n"+big)
	if len(it.Body) > MaxBodyBytes || !warned(it, "truncated") {
		t.Errorf("body %d bytes, warnings %q", len(it.Body), it.Warnings)
	}
}

func TestRenderRoundTrip(t *testing.T) {
	want := adapters.Item{Key: "mid:r1@example.com", Kind: adapters.KindMessage, Subject: "Grüße, Angebot",
		From: "a@example.com", To: []string{"b@example.org"}, Cc: []string{"c@example.org"},
		Date: time.Date(2027, 1, 13, 10, 0, 0, 0, time.UTC), Body: "Zeile 1\nZeile 2"}
	got := parse(t, string(Render(want)))
	if got.Key != want.Key || got.Subject != want.Subject || got.From != want.From || got.Body != want.Body ||
		!got.Date.Equal(want.Date) || strings.Join(got.To, ",") != "b@example.org" || strings.Join(got.Cc, ",") != "c@example.org" {
		t.Errorf("got %+v", got)
	}
}
