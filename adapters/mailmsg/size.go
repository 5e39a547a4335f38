package mailmsg

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"sync"
)

// encodedSize returns the decoded size of a body in the given
// Content-Transfer-Encoding, reading r to its end (or to the first error).
// Attachments are only listed with their size, so decoding them would be
// wasted work: base64 is counted from its length (3 bytes per 4 characters,
// less the padding), 7bit, 8bit and binary are their own size; only
// quoted-printable, rare for attachments, is run through its decoder.
//
// Errors: a read error of r; for base64 a character outside the alphabet
// or misplaced padding (base64.CorruptInputError at that raw byte) or a
// last group of fewer than 4 characters (io.ErrUnexpectedEOF), with the
// size of the complete groups before it, as a decoder would have counted;
// an unknown encoding, with the raw size. A quoted-printable error is the
// decoder's.
func encodedSize(encoding string, r io.Reader) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64Size(r)
	case "quoted-printable":
		return copyCount(quotedprintable.NewReader(r))
	case "7bit", "8bit", "binary", "":
		return copyCount(r)
	default:
		n, err := copyCount(r)
		if err == nil {
			err = fmt.Errorf("unhandled encoding %q, counted undecoded", encoding)
		}
		return n, err
	}
}

func copyCount(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// base64Class tells each byte's role in a base64 body: part of the
// alphabet, padding, skipped whitespace (space and tab too, as go-message
// accepts continuation indents), or invalid.
var base64Class = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = b64Char
	}
	t['='] = b64Pad
	for _, c := range []byte(" \t\r\n") {
		t[c] = b64Space
	}
	return t
}()

const (
	b64Invalid = iota
	b64Char
	b64Pad
	b64Space
)

var scanBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// base64Size counts the decoded size of a base64 stream (see encodedSize).
func base64Size(r io.Reader) (int64, error) {
	bp := scanBuffers.Get().(*[]byte)
	defer scanBuffers.Put(bp)
	buf := *bp
	var chars, pads, pos int64
	groups := func() int64 { return chars / 4 * 3 }
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			switch base64Class[c] {
			case b64Char:
				if pads > 0 {
					return groups(), base64.CorruptInputError(pos)
				}
				chars++
			case b64Pad:
				pads++
				if pads > 2 || chars%4 < 2 || chars%4+pads > 4 {
					return groups(), base64.CorruptInputError(pos)
				}
			case b64Invalid:
				return groups(), base64.CorruptInputError(pos)
			}
			pos++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return groups(), err
		}
	}
	if pads > 0 {
		if chars%4+pads != 4 {
			return groups(), io.ErrUnexpectedEOF
		}
		return groups() + chars%4 - 1, nil
	}
	if chars%4 != 0 {
		return groups(), io.ErrUnexpectedEOF
	}
	return groups(), nil
}
