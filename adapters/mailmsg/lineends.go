package mailmsg

import (
	"bufio"
	"bytes"
	"io"
)

// crOnly reports whether the message's lines end in a bare CR (old Mac
// mailers): its first buffered bytes hold two CRs and no LF. Such a message
// would otherwise be one endless header line.
func crOnly(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	return bytes.IndexByte(head, '\n') < 0 && bytes.Count(head, []byte{'\r'}) >= 2
}

// crToLF turns every CR into LF, making a CR-only message an LF-only one,
// which the header and multipart readers accept.
type crToLF struct{ r io.Reader }

func (c *crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
