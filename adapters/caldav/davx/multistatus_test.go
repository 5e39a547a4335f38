package davx

import (
	"strings"
	"testing"
)

// Weak and unquoted ETags come back verbatim; a 404 member and a 507 on
// the collection are reported with their status; hrefs are decoded paths.
func TestDecodeMultistatusTolerant(t *testing.T) {
	body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">
<d:response><d:href>/cal/a%40x.ics</d:href><d:propstat><d:prop><d:getetag>W/"weak-1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>http://h/cal/b.ics</d:href><d:propstat><d:prop><d:getetag>unquoted2</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
<d:response><d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>
<d:sync-token>http://h/sync/42</d:sync-token></d:multistatus>`
	var got []Response
	tok, err := DecodeMultistatus(strings.NewReader(body), func(r Response) error { got = append(got, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if tok != "http://h/sync/42" || len(got) != 4 {
		t.Fatalf("token %q, %d responses", tok, len(got))
	}
	want := []struct {
		href, etag string
		status     int
	}{{"/cal/a@x.ics", `W/"weak-1"`, 200}, {"/cal/b.ics", "unquoted2", 200}, {"/cal/gone.ics", "", 404}, {"/cal/", "", 507}}
	for i, w := range want {
		if got[i].Href != w.href || got[i].Props.ETag != w.etag || got[i].Status != w.status {
			t.Errorf("response %d = %+v, want %+v", i, got[i], w)
		}
	}
}

// A body cut off mid-answer is an error, never a short listing.
func TestDecodeMultistatusTruncatedIsError(t *testing.T) {
	body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href>`
	if _, err := DecodeMultistatus(strings.NewReader(body), func(Response) error { return nil }); err == nil {
		t.Fatal("truncated multistatus decoded without error")
	}
}

// A control character XML cannot carry (a server writes it raw when an
// event holds one) spoils only its own response: the others decode, and
// the bad one is marked with its href.
func TestDecodeMultistatusControlCharacterSpoilsOneResponse(t *testing.T) {
	member := func(name, summary string) string {
		return `<d:response><d:href>/cal/` + name + `</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><c:calendar-data>BEGIN:VEVENT` + "\n" +
			`SUMMARY:` + summary + "\n" + `END:VEVENT</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
	}
	body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">` +
		member("a.ics", "fine") + member("bad.ics", "nul\x00 and \x01") + member("c.ics", "fine too") + `</d:multistatus>`
	var got []Response
	if _, err := DecodeMultistatus(strings.NewReader(body), func(r Response) error { got = append(got, r); return nil }); err != nil {
		t.Fatalf("one bad response made the answer unreadable: %v", err)
	}
	if len(got) != 3 || got[0].Bad != "" || got[2].Bad != "" || got[1].Bad == "" || got[1].Href != "/cal/bad.ics" {
		t.Fatalf("responses %+v", got)
	}
	if !strings.Contains(got[2].Props.CalendarData, "SUMMARY:fine too") {
		t.Errorf("neighbour data %q", got[2].Props.CalendarData)
	}
}
