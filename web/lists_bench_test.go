package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// BenchmarkEmailStep5000 measures the e-mail step of a 5,000-mail folder
// once the plan is made: the time to the first page (what the browser
// waits for after the listing's end: the wizard takes the plan over and
// renders 50 rows of 5,000) and its weight (bytes/page). Run:
//
//	go test ./web -run '^$' -bench EmailStep5000 -benchtime 20x
func BenchmarkEmailStep5000(b *testing.B) {
	f := newFixture(b, []User{{Name: "sam", PasswordHash: hash(b)}}, nil)
	addMails(f.sources["sam"], "sam", 4997) // and the seed's 3
	c := f.client()
	c.mustLogin("sam")
	start := time.Now()
	code, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}})
	for loc == planningPath || loc == "" && code == http.StatusOK { // a busy machine: the planning page first
		time.Sleep(5 * time.Millisecond)
		code, loc, _ = c.get(planningPath)
	}
	if loc != "/sync/emails" {
		b.Fatalf("areas: %d to %q", code, loc)
	}
	planned := time.Since(start) // planning 5,000 mails, then the first page
	var size int
	b.ResetTimer()
	for b.Loop() {
		_, _, body := c.get("/sync/emails?page=37")
		size = len(body)
	}
	b.ReportMetric(float64(size), "bytes/page")
	b.ReportMetric(float64(planned.Milliseconds()), "ms-areas-to-emails")
	_, _, body := c.get("/sync/emails")
	if shown, _ := pageIDs(body); len(shown) != pageSize || selectedCount(b, body) != "5000/5000" {
		b.Fatalf("the first page shows %d rows, counter %s", len(shown), selectedCount(b, body))
	}
}
