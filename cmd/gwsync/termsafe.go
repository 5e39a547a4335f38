package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/gwsync/gwsync/engine"
)

// termSafe escapes what a terminal would act on instead of showing:
// control characters (ESC starts colour, cursor and title sequences; CR
// and BEL hide or fake output), C1 controls and the bidirectional
// overrides that reorder text. They come from other people's subjects
// and file names. Each is written as Go writes it (\x1b, \u202e), so a
// person sees that it was there.
func termSafe(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f
}

// termSafePlan is a copy of p for the table: every text that came from a
// source or the CRM escaped with termSafe. JSON output keeps the plan as
// it is (JSON escapes control characters itself).
func termSafePlan(p *engine.Plan) *engine.Plan {
	c := *p
	c.User = termSafe(p.User)
	c.Actions = make([]*engine.Action, len(p.Actions))
	for i, a := range p.Actions {
		ac := *a
		ac.Subject, ac.Reason, ac.From = termSafe(a.Subject), termSafe(a.Reason), termSafe(a.From)
		ac.Source, ac.ItemID, ac.Key = termSafe(a.Source), termSafe(a.ItemID), termSafe(a.Key)
		c.Actions[i] = &ac
	}
	c.Problems = make([]engine.Problem, len(p.Problems))
	for i, pr := range p.Problems {
		c.Problems[i] = engine.Problem{Source: termSafe(pr.Source), ItemID: termSafe(pr.ItemID), Reason: termSafe(pr.Reason)}
	}
	return &c
}

// termSafeWriter escapes what termSafe escapes, except line breaks and
// tabs, which log lines keep. hclog writes one whole line per Write.
type termSafeWriter struct{ w io.Writer }

func (t termSafeWriter) Write(p []byte) (int, error) {
	s := string(p)
	if strings.IndexFunc(s, unsafeInLog) < 0 {
		return t.w.Write(p)
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeInLog(r) {
			b.WriteString(termSafe(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	if _, err := io.WriteString(t.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

func unsafeInLog(r rune) bool { return r != '\n' && r != '\t' && unsafeRune(r) }
