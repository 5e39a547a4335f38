package icalendar

import (
	"bytes"
	"fmt"
	"strings"
)

// contentLine is one logical (unfolded) line of an iCalendar text, with
// where it sits in the raw bytes so that PatchTimes can replace exactly it.
type contentLine struct {
	num        int    // 1-based number of its first physical line
	start, end int    // byte range in the raw text, line ending(s) included
	eol        string // the line ending its first physical line used
	text       string // unfolded text without line ending
	name       string // upper-case property name
	params     []param
	value      string
}

// param is one property parameter, kept with its raw text so a patched line
// can copy the parameters it does not change byte for byte.
type param struct {
	name   string // upper-case
	values []string
	raw    string // ";NAME=value" as written
}

// paramValue returns the first value of the named parameter, or "".
func (l *contentLine) paramValue(name string) string {
	for _, p := range l.params {
		if p.name == name && len(p.values) > 0 {
			return p.values[0]
		}
	}
	return ""
}

// splitLines unfolds data into logical lines. Blank lines are skipped (as
// go-ical does). A line that is not a valid content line is an error naming
// its line number: the caller cannot trust anything after it.
//
// Lines may end in CRLF, LF or a lone CR (old Mac exports). Unfolding is
// linear in the size of data: a logical line's physical pieces are joined
// once, when the next logical line starts, so a 20 MB folded DESCRIPTION
// costs no more than 20 MB of copying.
func splitLines(data []byte) ([]contentLine, error) {
	var out []contentLine
	var pieces [][]byte // the current logical line's physical pieces
	flush := func() {
		if len(pieces) == 0 {
			return
		}
		last := &out[len(out)-1]
		if len(pieces) == 1 {
			last.text = string(pieces[0])
		} else {
			n := 0
			for _, p := range pieces {
				n += len(p)
			}
			b := make([]byte, 0, n)
			for _, p := range pieces {
				b = append(b, p...)
			}
			last.text = string(b)
		}
		pieces = pieces[:0]
	}
	pos, num := 0, 0
	if bytes.HasPrefix(data, utf8BOM) {
		pos = len(utf8BOM) // Windows editors write one; it is no content
	}
	for pos < len(data) {
		lineStart := pos
		end, next, eol := lineEnd(data, pos)
		phys := data[pos:end]
		pos = next
		num++
		if len(phys) > 0 && (phys[0] == ' ' || phys[0] == '\t') {
			if len(out) == 0 {
				return nil, fmt.Errorf("line %d: continuation line without a line before it", num)
			}
			out[len(out)-1].end = pos
			pieces = append(pieces, phys[1:])
			continue
		}
		if len(bytes.TrimSpace(phys)) == 0 {
			continue // a blank line; a continuation after it still continues
		}
		flush()
		out = append(out, contentLine{num: num, start: lineStart, end: pos, eol: eol})
		pieces = append(pieces, phys)
	}
	flush()
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, fmt.Errorf("line %d: %v", out[i].num, err)
		}
	}
	return out, nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// lineEnd finds the end of the physical line starting at pos: the index
// where its text ends, where the next line starts, and the line ending
// ("\r\n", "\n", "\r", or "" at the end of data).
func lineEnd(data []byte, pos int) (end, next int, eol string) {
	i := bytes.IndexAny(data[pos:], "\r\n")
	if i < 0 {
		return len(data), len(data), ""
	}
	end = pos + i
	if data[end] == '\n' {
		return end, end + 1, "\n"
	}
	if end+1 < len(data) && data[end+1] == '\n' {
		return end, end + 2, "\r\n"
	}
	return end, end + 1, "\r"
}

// decode splits the unfolded text into name, parameters and value, following
// RFC 5545 section 3.1 (quoted parameter values may hold ';', ':' and ',').
func (l *contentLine) decode() error {
	s := l.text
	i := strings.IndexAny(s, ";:")
	switch {
	case i < 0:
		return fmt.Errorf("malformed content line %q: missing colon", clip(s))
	case i == 0:
		return fmt.Errorf("malformed content line %q: empty property name", clip(s))
	}
	l.name = strings.ToUpper(strings.TrimSpace(s[:i]))
	s = s[i:]
	for strings.HasPrefix(s, ";") {
		p, rest, err := decodeParam(s)
		if err != nil {
			return fmt.Errorf("property %s: %v", l.name, err)
		}
		l.params = append(l.params, p)
		s = rest
	}
	if !strings.HasPrefix(s, ":") {
		return fmt.Errorf("property %s: missing colon before the value", l.name)
	}
	l.value = s[1:]
	return nil
}

// decodeParam decodes one ";NAME=v1,v2" from the start of s and returns it
// with the rest of s.
func decodeParam(s string) (param, string, error) {
	start := s
	s = s[1:]
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return param{}, "", fmt.Errorf("malformed parameter %q", clip(s))
	}
	p := param{name: strings.ToUpper(s[:eq])}
	s = s[eq+1:]
	for {
		var v string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return param{}, "", fmt.Errorf("parameter %s: unterminated quoted value", p.name)
			}
			v, s = s[1:1+end], s[end+2:]
		} else {
			end := strings.IndexAny(s, ";:,\"")
			if end < 0 {
				return param{}, "", fmt.Errorf("parameter %s: missing colon before the value", p.name)
			}
			if s[end] == '"' {
				return param{}, "", fmt.Errorf("parameter %s: stray double quote", p.name)
			}
			v, s = s[:end], s[end:]
		}
		p.values = append(p.values, v)
		if !strings.HasPrefix(s, ",") {
			break
		}
		s = s[1:]
	}
	p.raw = start[:len(start)-len(s)]
	return p, s, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// rawComponent is a component of the raw text: its BEGIN and END lines, its
// own properties and its children, all as indexes into the line list.
type rawComponent struct {
	name     string
	begin    int // index of the BEGIN line
	end      int // index of the END line
	props    []int
	children []*rawComponent
}

// rawCalendar is the line-level view of an iCalendar text.
type rawCalendar struct {
	lines []contentLine
	root  *rawComponent
	// extraCalendars are the line numbers of the BEGIN:VCALENDAR lines
	// after the first (a concatenated export); their components are the
	// root's children.
	extraCalendars []int
}

// prop returns the component's first property with that name, or nil.
func (rc *rawCalendar) prop(c *rawComponent, name string) *contentLine {
	for _, i := range c.props {
		if rc.lines[i].name == name {
			return &rc.lines[i]
		}
	}
	return nil
}

// parseRaw builds the component tree of data. Errors name the line: an
// END that does not match, a missing END, text outside VCALENDAR.
func parseRaw(data []byte) (*rawCalendar, error) {
	lines, err := splitLines(data)
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	rc := &rawCalendar{lines: lines}
	if lines[0].name != "BEGIN" || !strings.EqualFold(lines[0].value, "VCALENDAR") {
		return nil, fmt.Errorf("line %d: expected BEGIN:VCALENDAR, got %q", lines[0].num, clip(lines[0].text))
	}
	var stack []*rawComponent
	for i := range lines {
		l := &lines[i]
		switch l.name {
		case "BEGIN":
			if len(stack) == 0 && rc.root != nil {
				if !strings.EqualFold(l.value, "VCALENDAR") || rc.root.name != "VCALENDAR" {
					return nil, fmt.Errorf("line %d: text after END:VCALENDAR", l.num)
				}
				// Liberal: concatenated exports hold several VCALENDARs.
				// Their components join the first one's; Parse warns.
				rc.extraCalendars = append(rc.extraCalendars, l.num)
				stack = append(stack, rc.root)
				continue
			}
			c := &rawComponent{name: strings.ToUpper(l.value), begin: i}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.children = append(top.children, c)
			} else {
				rc.root = c
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: END:%s without BEGIN", l.num, l.value)
			}
			top := stack[len(stack)-1]
			if !strings.EqualFold(l.value, top.name) {
				return nil, fmt.Errorf("line %d: END:%s where END:%s was expected", l.num, l.value, top.name)
			}
			if len(stack) > 1 || len(rc.extraCalendars) == 0 {
				top.end = i // the root keeps the end of the first VCALENDAR
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: property %s outside VCALENDAR", l.num, l.name)
			}
			top := stack[len(stack)-1]
			top.props = append(top.props, i)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("line %d: file ends without END:%s", lines[len(lines)-1].num, stack[len(stack)-1].name)
	}
	return rc, nil
}
