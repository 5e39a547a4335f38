package hostile

import (
	"bytes"
	"fmt"
	"strings"
)

// Mail cases too big or too deep to commit: bodies of 1, 5 and 20 MB,
// 10,000 nested multiparts, 100,000 parts, a 10 MB header line, a 20 MB
// HTML body and a 10 MB attachment.
func init() {
	for _, mb := range []int{1, 5, 20} {
		generated = append(generated, hostileCase{
			name: fmt.Sprintf("generated-body-%dmb.eml", mb),
			data: func() []byte { return bigBody(fmt.Sprintf("body-%dmb", mb), mb<<20) },
		})
	}
	generated = append(generated,
		hostileCase{name: "generated-nested-10000.eml", data: func() []byte { return nestedMultiparts(10_000) }},
		hostileCase{name: "generated-parts-100000.eml", data: func() []byte { return manyParts(100_000) }},
		hostileCase{name: "generated-header-line-10mb.eml", data: func() []byte { return longHeaderLine(10 << 20) }},
		hostileCase{name: "generated-html-20mb.eml", data: func() []byte { return bigHTML(20 << 20) }},
		hostileCase{name: "generated-attachment-10mb.eml", data: func() []byte { return bigAttachment(10 << 20) }},
	)
}

func emlHead(b *bytes.Buffer, id, what string) {
	fmt.Fprintf(b, "From: Mallory <mallory@example.com>\r\nTo: alice@example.com\r\nSubject: %s\r\n"+
		"Date: Mon, 15 Mar 2027 10:00:00 +0000\r\nMessage-ID: <generated-%s@gwsync.test>\r\nMIME-Version: 1.0\r\n", what, id)
}

// bigBody is a quoted-printable latin-1 text of n bytes: every byte of it
// would need decoding.
func bigBody(id string, n int) []byte {
	var b bytes.Buffer
	b.Grow(n + 1024)
	emlHead(&b, id, fmt.Sprintf("a body of %d bytes", n))
	b.WriteString("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	line := strings.Repeat("Gr=FC=DFe aus K=F6ln ", 3) + "=\r\n"
	for b.Len() < n {
		b.WriteString(line)
	}
	return b.Bytes()
}

func nestedMultiparts(depth int) []byte {
	var b bytes.Buffer
	emlHead(&b, "nested", fmt.Sprintf("multiparts nested %d levels", depth))
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n--n%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--n%d--\r\n", i)
	}
	return b.Bytes()
}

func manyParts(n int) []byte {
	var b bytes.Buffer
	emlHead(&b, "parts", fmt.Sprintf("%d parts", n))
	b.WriteString("Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--p\r\nContent-Type: application/octet-stream; name=\"f%d.bin\"\r\n\r\nx\r\n", i)
	}
	b.WriteString("--p--\r\n")
	return b.Bytes()
}

func longHeaderLine(n int) []byte {
	var b bytes.Buffer
	emlHead(&b, "header-line", fmt.Sprintf("a header line of %d bytes", n))
	b.WriteString("X-Junk: ")
	b.WriteString(strings.Repeat("=?utf-8?q?j?= ", n/14))
	b.WriteString("\r\nContent-Type: text/plain\r\n\r\nbody\r\n")
	return b.Bytes()
}

func bigHTML(n int) []byte {
	var b bytes.Buffer
	b.Grow(n + 1024)
	emlHead(&b, "html", fmt.Sprintf("an HTML body of %d bytes", n))
	b.WriteString("Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>")
	for b.Len() < n {
		b.WriteString("<p>Gr&uuml;&szlig;e <b>aus</b> <!-- x --> K&ouml;ln</p>\r\n")
	}
	b.WriteString("</body></html>\r\n")
	return b.Bytes()
}

func bigAttachment(n int) []byte {
	var b bytes.Buffer
	b.Grow(n*4/3 + 1024)
	emlHead(&b, "attachment", fmt.Sprintf("an attachment of %d bytes", n))
	b.WriteString("Content-Type: multipart/mixed; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n" +
		"--a\r\nContent-Type: application/pdf; name=\"big.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJD", 19) + "\r\n"
	for written := 0; written < n; written += 57 {
		b.WriteString(line)
	}
	b.WriteString("--a--\r\n")
	return b.Bytes()
}
