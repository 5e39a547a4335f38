package mailmsg

import (
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// extendedParams decodes the RFC 2231 parameters of a raw Content-Type or
// Content-Disposition value: name*=charset'lang'%XX and the continued
// forms name*0=, name*1*=, … . The standard library decodes them only in
// US-ASCII and UTF-8 and drops a name in any other charset (a German
// mailer's iso-8859-1 or windows-1252 file name came out empty), and it
// loses a boundary given this way. Names are lower case; a value whose
// charset is unknown is read as UTF-8 when valid, else as Windows-1252.
func extendedParams(value string) map[string]string {
	type section struct {
		n       int
		encoded bool
		value   string
	}
	groups := map[string][]section{}
	for _, p := range splitParams(value) {
		key, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		base, rest, extended := strings.Cut(key, "*")
		if !extended || base == "" {
			continue
		}
		s := section{value: unquote(strings.TrimSpace(val))}
		switch {
		case rest == "": // name*=charset'lang'value
			s.encoded = true
		default:
			num, star := strings.CutSuffix(rest, "*")
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > maxParamSections {
				continue
			}
			s.n, s.encoded = n, star
		}
		groups[base] = append(groups[base], s)
	}
	out := map[string]string{}
	for name, sections := range groups {
		sort.SliceStable(sections, func(i, j int) bool { return sections[i].n < sections[j].n })
		var raw bytes.Buffer
		cs := ""
		for i, s := range sections {
			v := s.value
			if s.encoded && i == 0 {
				// charset'language'value; the quotes are there even when
				// both are empty.
				if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
					cs, v = parts[0], parts[2]
				}
			}
			if s.encoded {
				raw.Write(percentDecode(v))
			} else {
				raw.WriteString(v)
			}
		}
		out[name] = decodeCharset(cs, raw.Bytes())
	}
	return out
}

// maxParamSections bounds continued parameters (name*0 … name*N): a
// hostile header cannot make thousands of sections.
const maxParamSections = 1000

// splitParams splits the parameters after a media type at semicolons
// outside quotes.
func splitParams(value string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				out = append(out, value[start:i])
				start = i + 1
			}
		}
	}
	out = append(out, value[start:])
	if len(out) > 0 {
		out = out[1:] // the media type or disposition itself
	}
	return out
}

func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// percentDecode keeps a malformed escape as written.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			out = append(out, byte(v))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// decodeCharset turns b, written in the named charset, into UTF-8.
func decodeCharset(name string, b []byte) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	if lower != "" && lower != "utf-8" && lower != "us-ascii" {
		if r, err := charset.Reader(lower, bytes.NewReader(b)); err == nil {
			if dec, err := io.ReadAll(io.LimitReader(r, int64(4*len(b)+16))); err == nil {
				return strings.ToValidUTF8(string(dec), "\uFFFD")
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	dec, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(dec)
}
