package mailmsg

import (
	"os"
	"slices"
	"testing"
)

// The body and attachments of the tricky messages, without Python: the
// differential test checks them against Python's email package in CI,
// these keep the answers in plain sight.
func TestBodyAndAttachmentChoice(t *testing.T) {
	for _, c := range []struct {
		file, body  string
		attachments []string
	}{
		{"text-with-filename-inline.eml", "This text is the body, even though it has a name.", nil},
		{"text-no-subtype.eml", "The body of a message whose type says only text.", nil},
		{"alternative-html-first.eml", "The plain version.", nil},
		{"related-start.eml", "Look at  this.", []string{""}}, // the image is unnamed
		{"mixed-inline-signature.eml", "The message itself.", nil},
		{"text-attachment-first.eml", "The real body.", []string{"notes.txt"}},
		{"digest-default-type.eml", "Today's digest.", []string{attachedMessageName, attachedMessageName}},
		{"rfc2231-latin1-filename.eml", "See the attached offer.", []string{"Angebot für Müller.pdf"}},
		{"rfc2231-cp1252-filename.eml", "Quote attached.", []string{"„Quote“ € 100.txt"}},
		{"rfc2231-encoded-boundary.eml", "The body behind an encoded boundary.", []string{"chart.png"}},
		{"utf7-body.eml", "Grüüe aus München, 1 €", nil},
		{"html-meta-charset-cp1252.eml", "Grüße aus Köln € 5", nil},
		{"forwarded-message.eml", "See below.", []string{attachedMessageName}},
	} {
		f, err := os.Open("testdata/differential/tricky/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		it, err := Parse(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		var names []string
		for _, a := range it.Attachments {
			names = append(names, a.Name)
		}
		if it.Body != c.body || !slices.Equal(names, c.attachments) {
			t.Errorf("%s: body %q, attachments %q; want %q, %q", c.file, it.Body, names, c.body, c.attachments)
		}
	}
}

func TestSubjectUnfoldingKeepsWhitespace(t *testing.T) {
	f, err := os.Open("testdata/differential/tricky/subject-folded-encoded-words.eml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	it, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 5322 2.2.3: unfolding removes the line break only; RFC 2047
	// 6.2: white space between encoded words is dropped.
	if want := "Terminänderung für Montag and  more words"; it.Subject != want {
		t.Fatalf("subject %q, want %q", it.Subject, want)
	}
}

func TestReplaceInvalidPerMaximalSubpart(t *testing.T) {
	for in, want := range map[string]string{
		"ok \xc3( end":         "ok \uFFFD( end",
		"\xe2\x82 x":           "\uFFFD x",
		"\xf8\xa1\xa1":         "\uFFFD\uFFFD\uFFFD",
		"\xed\xa0\x80":         "\uFFFD\uFFFD\uFFFD",
		"valid ü \xf0\x9f\x98": "valid ü \uFFFD",
	} {
		if got := replaceInvalid(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
