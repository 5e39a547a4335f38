package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message/textproto"
)

// errNoHeader is Parse's error for input that does not start with a
// header field.
var errNoHeader = errors.New("no message header")

// headerBlock is the message header as readHeader found it.
type headerBlock struct {
	header textproto.Header
	// body is the first bytes of the body that were read as a header line
	// (a line without a colon ends the header, as in most mail readers);
	// the body goes on in the reader.
	body     []byte
	warnings []string
}

// readHeader reads the message header from br within the bounds (see
// bounds.go): a field longer than maxFieldBytes, fields past
// maxHeaderFields or past maxHeaderBytes in all are dropped with a
// warning, never held. An mbox "From " line at the top is skipped; a line
// that is neither a field nor a folded continuation ends the header and
// starts the body. Each byte is looked at a constant number of times.
//
// Errors: errNoHeader when the first line is not a header field (or the
// input is empty), a read error of br.
func readHeader(br *bufio.Reader) (headerBlock, error) {
	var (
		hb      headerBlock
		kept    bytes.Buffer // the fields kept, for textproto.ReadHeader
		field   []byte       // the field being read, nil when dropped
		key     string
		fields  int
		dropped = map[string]int{} // why -> how many
		first   = true
		scratch []byte
	)
	finish := func() {
		if field == nil {
			return
		}
		switch {
		case fields >= maxHeaderFields:
			dropped[fmt.Sprintf("more than %d header fields: the rest dropped", maxHeaderFields)]++
		case kept.Len()+len(field) > maxHeaderBytes:
			dropped[fmt.Sprintf("header larger than %d bytes: the rest dropped", maxHeaderBytes)]++
		default:
			kept.Write(field)
			fields++
		}
		field = nil
	}
	for {
		line, long, err := readLine(br, scratch)
		scratch = line[:0]
		if err != nil && !errors.Is(err, io.EOF) {
			return hb, err
		}
		if len(line) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if first && bytes.HasPrefix(line, []byte("From ")) {
			first = false
			hb.warnings = append(hb.warnings, `an mbox "From " line at the top: skipped`)
			continue
		}
		if isBlank(line) {
			break
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if first {
				dropped["a folded line before the first field: dropped"]++
			} else if field != nil && (long || len(field)+len(line) > maxFieldBytes) {
				dropped[fmt.Sprintf("%s longer than %d bytes: dropped", clip(key), maxFieldBytes)]++
				field = nil
			} else if field != nil {
				field = append(field, line...)
			}
		case fieldKey(line) != "":
			finish()
			key = fieldKey(line)
			field = append([]byte(nil), line...)
			if long {
				dropped[fmt.Sprintf("%s longer than %d bytes: dropped", clip(key), maxFieldBytes)]++
				field = nil
			}
		case first:
			return hb, errNoHeader
		default:
			finish()
			hb.warnings = append(hb.warnings, fmt.Sprintf("header line %q has no colon: the header ends there, the rest is read as body", clip(string(bytes.TrimSpace(line)))))
			hb.body = append([]byte(nil), line...)
			return hb.done(&kept, dropped)
		}
		first = false
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if first {
		return hb, errNoHeader
	}
	finish()
	return hb.done(&kept, dropped)
}

// done parses the kept fields and adds one warning per kind of drop.
func (hb headerBlock) done(kept *bytes.Buffer, dropped map[string]int) (headerBlock, error) {
	for why, n := range dropped {
		if n > 1 {
			why += fmt.Sprintf(" (%d times)", n)
		}
		hb.warnings = append(hb.warnings, why)
	}
	kept.WriteString("\r\n")
	h, err := textproto.ReadHeader(bufio.NewReader(kept))
	if err != nil {
		// Every kept line was checked to be a field or a continuation.
		return hb, fmt.Errorf("reading the header: %v", err)
	}
	hb.header = h
	if h.Len() == 0 {
		return hb, errNoHeader
	}
	return hb, nil
}

// readLine returns the next line of br with its line ending, appended to
// scratch[:0]. A line longer than maxFieldBytes is read to its end but
// only its first bytes are returned, with long set.
func readLine(br *bufio.Reader, scratch []byte) (line []byte, long bool, err error) {
	line = scratch[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= maxFieldBytes {
			line = append(line, chunk...)
		} else {
			long = true
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, long, err
		}
	}
}

func isBlank(line []byte) bool {
	return len(bytes.TrimRight(line, "\r\n")) == 0
}

// fieldKey returns the name of the header field line starts, or "" when
// it does not start one: the name is printable ASCII up to a colon, as
// RFC 5322 2.2 says (with spaces before the colon, as seen in the wild).
func fieldKey(line []byte) string {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return ""
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return ""
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return ""
		}
	}
	return string(name)
}
