package mailmsg

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// benchMessages is a mix like the IMAP benchmark's seed: mostly short
// plain text, some HTML-only, some with a base64 attachment of 10-100 kB.
func benchMessages(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		r := rand.New(rand.NewSource(int64(i)))
		var b bytes.Buffer
		fmt.Fprintf(&b, "Message-ID: <bench-%d@example.org>\r\nDate: Wed, 13 Jan 2027 10:00:00 +0000\r\n"+
			"From: =?utf-8?q?J=C3=BCrgen?= <juergen%d@example.org>\r\nTo: bob@example.com\r\nCc: a@example.org, b@example.net\r\n"+
			"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_=E2=80=93_Projekt_%d?=\r\nMIME-Version: 1.0\r\n", i, i%300, i)
		text := strings.Repeat("wir bedanken uns für Ihre Anfrage und senden Ihnen anbei das Angebot. ", 5+r.Intn(40))
		switch k := i % 10; k {
		case 0:
			b.WriteString("Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>" + text + "</p></body></html>\r\n")
		case 1:
			raw := make([]byte, 10_000+r.Intn(90_000))
			r.Read(raw)
			enc := base64.StdEncoding.EncodeToString(raw)
			b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b1\r\n" +
				"Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
			for len(enc) > 76 {
				b.WriteString(enc[:76] + "\r\n")
				enc = enc[76:]
			}
			b.WriteString(enc + "\r\n--b1--\r\n")
		default:
			b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n")
		}
		out[i] = b.Bytes()
	}
	return out
}

func BenchmarkParseMix(b *testing.B) {
	msgs := benchMessages(100)
	var size int64
	for _, m := range msgs {
		size += int64(len(m))
	}
	b.SetBytes(size / int64(len(msgs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(bytes.NewReader(msgs[i%len(msgs)])); err != nil && err != io.EOF {
			b.Fatal(err)
		}
	}
}
