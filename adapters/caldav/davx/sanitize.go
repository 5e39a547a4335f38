package davx

import (
	"bufio"
	"io"
)

// xmlSafeReader replaces the bytes XML 1.0 cannot carry (C0 controls
// other than tab, LF and CR) with U+FFFD and counts them. Servers write
// them raw when an event holds one (a NUL or ^A in SUMMARY or UID), and a
// strict decoder then fails on the whole multistatus: every other object
// of the collection would be unreadable with it. With the bytes replaced
// the answer decodes, and the count tells which <response> held one
// (DecodeMultistatus reads it before and after each response).
//
// It is an io.ByteReader, so encoding/xml reads through it byte by byte
// without a read-ahead buffer of its own, and the count is exact.
type xmlSafeReader struct {
	r        *bufio.Reader
	pending  []byte
	replaced int
}

func newXMLSafeReader(r io.Reader) *xmlSafeReader {
	return &xmlSafeReader{r: bufio.NewReaderSize(r, 32<<10)}
}

const replacement = "\uFFFD"

func (s *xmlSafeReader) ReadByte() (byte, error) {
	if len(s.pending) > 0 {
		b := s.pending[0]
		s.pending = s.pending[1:]
		return b, nil
	}
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
		s.replaced++
		s.pending = []byte(replacement[1:])
		return replacement[0], nil
	}
	return b, nil
}

func (s *xmlSafeReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := s.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
		if s.r.Buffered() == 0 && len(s.pending) == 0 {
			break
		}
	}
	return n, nil
}
