package mailmsg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse maps arbitrary bytes to an item: it must never panic, and
// what it returns keeps the bounds and the promises of Parse. Seeded from
// the hostile and malformed corpora.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"../../testdata/hostile/eml", "../../testdata/malformed/mail"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add(nestedMessage(20))
	f.Add(manyPartsMessage(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if !strings.HasPrefix(it.Key, "mid:") && !strings.HasPrefix(it.Key, "mid-synth:") {
			t.Errorf("key %q", it.Key)
		}
		if len(it.Key) > len("mid:")+maxMessageIDBytes*3 {
			t.Errorf("key of %d bytes", len(it.Key))
		}
		if !utf8.ValidString(it.Subject) || !utf8.ValidString(it.Body) || strings.ContainsFunc(it.Subject, isControl) {
			t.Errorf("subject %q or body not clean", it.Subject)
		}
		if strings.ContainsFunc(it.Body, func(r rune) bool { return isControl(r) && r != '\n' && r != '\t' }) {
			t.Errorf("control characters in the body %q", it.Body)
		}
		if len(it.Warnings) > maxWarnings || len(it.Attachments) > maxParts {
			t.Errorf("%d warnings, %d attachments", len(it.Warnings), len(it.Attachments))
		}
		if y := it.Date.Year(); !it.Date.IsZero() && (y < 1 || y > 9999) {
			t.Errorf("date %v", it.Date)
		}
		again, err := Parse(bytes.NewReader(data))
		if err != nil || again.Key != it.Key || again.Body != it.Body {
			t.Errorf("a second parse differs: %v, key %q / %q", err, it.Key, again.Key)
		}
	})
}
