package mailmsg

import (
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var (
	lineBreakingTag = map[atom.Atom]bool{
		atom.Br: true, atom.P: true, atom.Div: true, atom.Li: true, atom.Tr: true, atom.Table: true, atom.Ul: true,
		atom.Ol: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
		atom.Blockquote: true, atom.Hr: true,
	}
	// skippedElement holds text nobody reads in a body: scripts, styles,
	// the head and its title.
	skippedElement = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true,
		atom.Noscript: true, atom.Template: true}
)

// HTMLToText makes an HTML body readable as plain text: script, style and
// the head are dropped, tags removed, <p>, <br>, <div>, <li> and other
// block tags become line breaks (an <li> starts with "- "), whitespace
// runs collapse as a browser collapses them, and entities are decoded.
// It reads the body with the HTML5 tokenizer of golang.org/x/net/html, so
// hostile markup (an unclosed <script>, tags inside comments or
// attributes, a stray "<") is read the way a browser reads it, in one
// pass: enough for an activity's body, not a renderer.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // depth inside skipped elements
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				break // the tokenizer reads from a string: only EOF ends it
			}
			return finish(b.String())
		case html.TextToken:
			if skip == 0 {
				writeCollapsed(&b, string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedElement[a] {
				if z.Token().Type == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip == 0 {
				startTag(&b, a)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedElement[a] {
				if skip > 0 {
					if skip--; skip == 0 {
						b.WriteByte(' ') // never glue the words around it
					}
				}
				continue
			}
			if skip == 0 {
				endTag(&b, a)
			}
		}
	}
}

// startTag writes what an opening tag means in text.
func startTag(b *strings.Builder, a atom.Atom) {
	switch {
	case a == atom.Li:
		b.WriteString("\n- ")
	case a == atom.Tr: // a row ends its line at </tr>
	case lineBreakingTag[a]:
		b.WriteString("\n")
	case a == atom.Td || a == atom.Th:
		b.WriteString(" ")
	}
}

// endTag writes what a closing tag means in text.
func endTag(b *strings.Builder, a atom.Atom) {
	switch {
	case a == atom.Li: // its line began at <li>
	case lineBreakingTag[a]:
		b.WriteString("\n")
	}
}

// finish normalises the text: no-break spaces as spaces, no spaces at the
// edges of lines, at most one empty line in a row.
func finish(out string) string {
	out = strings.ReplaceAll(out, "\u00a0", " ")
	return strings.TrimSpace(tidyLines(out))
}

// tidyLines removes the spaces and tabs around every line break and
// keeps at most one blank line in a row, in one pass (two regular
// expressions did this at a tenth of the cost of parsing a message).
func tidyLines(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	breaks := 0 // line breaks written since the last text
	for i := 0; ; i++ {
		end := strings.IndexByte(s, '\n')
		line := s
		if end >= 0 {
			line = s[:end]
		}
		if i > 0 {
			line = strings.TrimLeft(line, " \t")
		}
		if end >= 0 {
			line = strings.TrimRight(line, " \t")
		}
		if line != "" {
			b.WriteString(line)
			breaks = 0
		}
		if end < 0 {
			return b.String()
		}
		if breaks < 2 {
			b.WriteByte('\n')
			breaks++
		}
		s = s[end+1:]
	}
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
