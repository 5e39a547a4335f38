package mailmsg

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// UTF-7 (RFC 2152) is rare but real in old mail; without a decoder such a
// body stayed "Gr+APw-e" in the CRM. Only decoding is needed: gwsync never
// writes UTF-7.
func init() { charset.RegisterEncoding("utf-7", utf7Encoding{}) }

type utf7Encoding struct{}

func (utf7Encoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: &utf7Decoder{}}
}

func (utf7Encoding) NewEncoder() *encoding.Encoder { return encoding.Nop.NewEncoder() }

// utf7Decoder turns UTF-7 into UTF-8. Outside a shift it copies bytes; "+"
// starts a shift of modified base64 carrying UTF-16 units, ended by "-"
// (dropped) or any byte outside the base64 alphabet (kept). "+-" is "+".
// A malformed shift yields U+FFFD, never an error: a body is read as far
// as it goes.
type utf7Decoder struct {
	shifted bool
	fresh   bool   // just after "+": "-" here means a literal "+"
	bits    uint32 // pending bits of the shift
	nbits   uint
	high    rune // a high surrogate waiting for its pair
}

func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if !d.shifted {
			if c == '+' {
				d.shifted, d.fresh, d.bits, d.nbits = true, true, 0, 0
				nSrc++
				continue
			}
			if c >= 0x80 {
				// UTF-7 is 7-bit: an 8-bit byte is not text in it.
				if len(dst)-nDst < utf8.RuneLen(utf8.RuneError) {
					return nDst, nSrc, transform.ErrShortDst
				}
				nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
				nSrc++
				continue
			}
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		v, ok := base64Value(c)
		if !ok {
			// The shift ends; a "-" is consumed, anything else is text.
			var out []byte
			if d.fresh && c == '-' {
				out = append(out, '+')
			} else if d.high != 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			if len(dst)-nDst < len(out) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += copy(dst[nDst:], out)
			d.shifted, d.fresh, d.high = false, false, 0
			if c == '-' {
				nSrc++
			}
			continue
		}
		// State changes are made on copies and kept only once the output
		// fits: a retry after ErrShortDst sees the byte afresh.
		bits, nbits, high := d.bits<<6|uint32(v), d.nbits+6, d.high
		if nbits < 16 {
			d.fresh, d.bits, d.nbits = false, bits, nbits
			nSrc++
			continue
		}
		unit := rune(bits >> (nbits - 16) & 0xFFFF)
		var out []byte
		switch {
		case utf16.IsSurrogate(unit) && unit < 0xDC00:
			if high != 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			high = unit
		case utf16.IsSurrogate(unit):
			if high == 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = utf8.AppendRune(out, utf16.DecodeRune(high, unit))
				high = 0
			}
		default:
			if high != 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
				high = 0
			}
			out = utf8.AppendRune(out, unit)
		}
		if len(dst)-nDst < len(out) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], out)
		nbits -= 16
		d.fresh, d.bits, d.nbits, d.high = false, bits&(1<<nbits-1), nbits, high
		nSrc++
	}
	if atEOF && d.shifted && d.high != 0 {
		if len(dst)-nDst < utf8.RuneLen(utf8.RuneError) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], string(utf8.RuneError))
		d.high = 0
	}
	return nDst, nSrc, nil
}

func base64Value(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}
