package mailmsg

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"
)

// addressPattern finds bare addresses in a header that the RFC 5322 parser
// refused (unquoted commas in names, stray brackets, 8-bit junk).
var addressPattern = regexp.MustCompile(`[^\s<>"'(),;:\[\]\x00-\x1f\x7f]+@[^\s<>"'(),;:\[\]\x00-\x1f\x7f]+`)

// addresses returns the lower-cased bare addresses of an address header.
func addresses(h mail.Header, key string, warn func(string, ...any)) []string {
	raw := h.Get(key)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var out []string
	list, err := h.AddressList(key)
	if err == nil {
		for _, a := range list {
			out = append(out, strings.ToLower(strings.TrimSpace(a.Address)))
		}
	} else {
		for _, a := range addressPattern.FindAllString(raw, -1) {
			out = append(out, strings.ToLower(strings.ToValidUTF8(a, "")))
		}
		warn("%s: cannot parse %q as an address list; %d address(es) picked out", key, clip(raw), len(out))
	}
	return dedupe(out)
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, a := range list {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// legacyText turns header text with raw 8-bit bytes (no RFC 2047 encoding,
// as old mailers send) into UTF-8 by reading it as Windows-1252, the
// superset of ISO-8859-1 such mailers almost always mean.
func legacyText(s, field string, warn func(string, ...any)) string {
	if utf8.ValidString(s) {
		return s
	}
	dec, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		warn("%s: invalid bytes replaced", field)
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	warn("%s: 8-bit bytes without a charset, read as Windows-1252", field)
	return dec
}

// unfoldedText decodes an unstructured header field (RFC 2047 encoded
// words, in any charset go-message knows) after unfolding it as RFC 5322
// 2.2.3 says: only the line breaks go, the whitespace after them stays
// (go-message's Get collapses it). On a decoding error the unfolded text
// is returned as written, with the error.
func unfoldedText(h mail.Header, key string) (string, error) {
	raw, err := h.Raw(key)
	value := h.Get(key)
	if err == nil && raw != nil {
		if _, v, ok := bytes.Cut(raw, []byte(":")); ok {
			v = bytes.ReplaceAll(v, []byte("\r\n"), nil)
			v = bytes.ReplaceAll(v, []byte("\n"), nil)
			value = strings.TrimSpace(string(v))
		}
	}
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	text, err := dec.DecodeHeader(value)
	if err != nil {
		return value, err
	}
	return text, nil
}
