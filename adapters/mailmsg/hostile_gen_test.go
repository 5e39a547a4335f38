package mailmsg

import (
	"bytes"
	"fmt"
	"strings"
)

// Builders of hostile messages for the bounds tests and benchmarks: too
// big or too repetitive to write out by hand.

const hostileHead = "Message-ID: <%s@gwsync.test>\r\nFrom: mallory@example.com\r\nDate: Mon, 15 Mar 2027 10:00:00 +0000\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"

// bigBodyMessage is a text/plain message with a body of n bytes in lines
// of 76 characters.
func bigBodyMessage(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, hostileHead, "big-body", "big body")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	line := strings.Repeat("x", 74) + "\r\n"
	for b.Len() < n {
		b.WriteString(line)
	}
	return b.Bytes()
}

// bigLatin1Message is a quoted-printable ISO-8859-1 text/plain message
// with a body of n bytes: every byte of it needs decoding.
func bigLatin1Message(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, hostileHead, "big-latin1", "big latin-1 body")
	b.WriteString("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	line := strings.Repeat("Gr=FC=DFe ", 7) + "=\r\n"
	for b.Len() < n {
		b.WriteString(line)
	}
	return b.Bytes()
}

// nestedMessage is a multipart nested depth levels deep with a text part
// at the bottom.
func nestedMessage(depth int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, hostileHead, "nested", "nested")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// manyPartsMessage is a multipart/mixed with n small attachments.
func manyPartsMessage(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, hostileHead, "many-parts", "many parts")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--p\r\nContent-Type: application/octet-stream; name=\"f%d.bin\"\r\n\r\nx\r\n", i)
	}
	b.WriteString("--p--\r\n")
	return b.Bytes()
}

// longHeaderMessage has one header field of n bytes.
func longHeaderMessage(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, hostileHead, "long-header", "long header")
	b.WriteString("X-Junk: ")
	b.WriteString(strings.Repeat("j", n))
	b.WriteString("\r\nContent-Type: text/plain\r\n\r\nbody\r\n")
	return b.Bytes()
}

// encodedWordAbuseMessage has a Subject of n bytes of encoded words that
// never decode: each makes a decoder search and decode the rest of the
// line.
func encodedWordAbuseMessage(n int) []byte {
	var b bytes.Buffer
	subject := strings.Repeat("=?utf-8?b?!", n/11) + "?="
	fmt.Fprintf(&b, hostileHead, "encoded-words", subject)
	b.WriteString("Content-Type: text/plain\r\n\r\nbody\r\n")
	return b.Bytes()
}
