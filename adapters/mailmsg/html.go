package mailmsg

import (
	"html"
	"regexp"
	"strings"
)

var (
	tagPattern      = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|<!--.*?-->|<![^>]*>`)
	skipPattern     = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	spacePattern    = regexp.MustCompile(`[ \t\r\n\f]+`)
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
	s = skipPattern.ReplaceAllString(s, " ")
	var b strings.Builder
	last := 0
	for _, m := range tagPattern.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(spacePattern.ReplaceAllString(s[last:m[0]], " "))
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
	b.WriteString(spacePattern.ReplaceAllString(s[last:], " "))
	out := html.UnescapeString(b.String())
	out = strings.ReplaceAll(out, "\u00a0", " ")
	out = lineEdgeSpaces.ReplaceAllString(out, "\n")
	out = blankLines.ReplaceAllString(out, "\n\n")
	return strings.TrimSpace(out)
}
