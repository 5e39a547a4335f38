package mailmsg

import (
	"html"
	"regexp"
	"strings"
)

var (
	// A tag ends at the next '<' at the latest: "[^>]*" would scan to the
	// end of the text from every '<' of an unclosed run, quadratic in a
	// hostile body of many '<'.
	tagPattern      = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*>|<!--.*?-->|<![^<>]*>`)
	skipPattern     = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	blankLines      = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+\n`)
	lineEdgeSpaces  = regexp.MustCompile(`[ \t]*\n[ \t]*`)
	lineBreakingTag = map[string]bool{
		"br": true, "p": true, "div": true, "li": true, "tr": true, "table": true, "ul": true, "ol": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "hr": true,
	}
)

// HTMLToText makes an HTML body readable as plain text: script and style
// are dropped, tags removed, <p>, <br>, <div>, <li> and other block tags
// become line breaks (an <li> starts with "- "), whitespace runs collapse
// as a browser collapses them, and entities are decoded. It is a small tag
// stripper, not a renderer: enough for an activity's body.
func HTMLToText(s string) string {
	if mayHaveSkippedElement(s) {
		s = skipPattern.ReplaceAllString(s, " ")
	}
	var b strings.Builder
	last := 0
	for _, m := range tagPattern.FindAllStringSubmatchIndex(s, -1) {
		writeCollapsed(&b, s[last:m[0]])
		last = m[1]
		if m[4] < 0 {
			continue // comment or doctype
		}
		tag := strings.ToLower(s[m[4]:m[5]])
		closing := m[3] > m[2]
		switch {
		case tag == "li":
			if !closing {
				b.WriteString("\n- ")
			}
		case tag == "br" || tag == "p" && !closing:
			b.WriteString("\n")
		case lineBreakingTag[tag]:
			b.WriteString("\n")
		case tag == "td" || tag == "th":
			b.WriteString(" ")
		}
	}
	writeCollapsed(&b, s[last:])
	out := html.UnescapeString(b.String())
	out = strings.ReplaceAll(out, "\u00a0", " ")
	out = lineEdgeSpaces.ReplaceAllString(out, "\n")
	out = blankLines.ReplaceAllString(out, "\n\n")
	return strings.TrimSpace(out)
}

// writeCollapsed writes s to b with every run of HTML whitespace (space,
// tab, CR, LF, form feed) as one space, as a browser shows it.
func writeCollapsed(b *strings.Builder, s string) {
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\r', '\n', '\f':
			space = true
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
	}
	if space {
		b.WriteByte(' ')
	}
}

// mayHaveSkippedElement is a cheap test before skipPattern: whether s has
// "<script", "<style", "<head" or "<title" in any case.
func mayHaveSkippedElement(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		rest := s[i+1:]
		for _, tag := range [...]string{"script", "style", "head", "title"} {
			if len(rest) >= len(tag) && strings.EqualFold(rest[:len(tag)], tag) {
				return true
			}
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
