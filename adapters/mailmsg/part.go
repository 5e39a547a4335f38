package mailmsg

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// LimitParts keeps the Part of the attachments a source will serve, those
// of at most maxBytes (decoded), and clears it on the others, so that
// "has a Part" means "fetch it" to the engine. maxBytes <= 0 clears every
// Part: the source does not hand out content.
func LimitParts(list []adapters.Attachment, maxBytes int64) {
	for i := range list {
		if maxBytes <= 0 || list[i].Size > maxBytes {
			list[i].Part = ""
		}
	}
}

// DecodePart returns the decoded content of one body part, given its
// Content-Transfer-Encoding and its raw (still encoded) body, as IMAP's
// BODY[section] returns it. base64 may be broken into lines (CR, LF, space
// and tab are skipped, as Parse's size count skips them); quoted-printable
// is decoded; 7bit, 8bit, binary and none are taken as they are. It never
// holds more than limit+1 decoded bytes.
//
// Errors: InvalidItem when the content decodes to more than limit bytes,
// holds characters outside the base64 alphabet, or has an unknown
// encoding; a read error of raw itself is returned unchanged (the caller
// knows whether it is the network).
func DecodePart(encoding string, raw io.Reader, limit int64) ([]byte, error) {
	src := &sourceReader{r: raw}
	var dec io.Reader
	estimate := int64(-1)
	if s, ok := raw.(interface{ Size() int64 }); ok {
		estimate = s.Size()
	}
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, &base64Text{r: src})
		if estimate > 0 {
			estimate = estimate / 4 * 3
		}
	case "quoted-printable":
		dec = quotedprintable.NewReader(src)
	case "7bit", "8bit", "binary", "":
		dec = src
	default:
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "mailmsg: unhandled transfer encoding %q", encoding)
	}
	var buf bytes.Buffer
	if estimate > 0 {
		buf.Grow(int(min(estimate, limit) + 1))
	}
	n, err := buf.ReadFrom(io.LimitReader(dec, limit+1))
	switch {
	case err != nil && src.err != nil && errors.Is(err, src.err):
		return nil, err
	case err != nil:
		return nil, adapters.Wrap(adapters.CodeInvalidItem, err, "mailmsg: decoding "+encoding)
	case n > limit:
		return nil, adapters.Errorf(adapters.CodeInvalidItem, "mailmsg: content larger than the limit of %d bytes", limit)
	}
	return buf.Bytes(), nil
}

// sourceReader remembers the error of the raw reader, so that DecodePart
// tells a broken connection from broken content.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// base64Text drops the whitespace a base64 body is broken with: Go's
// decoder skips CR and LF only, mail also has spaces and tabs.
type base64Text struct{ r io.Reader }

func (b *base64Text) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if base64Class[c] != b64Space {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}
