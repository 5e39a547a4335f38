package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
)

// addMails puts n more e-mails into a user's groupware: "Bulk mail 0001"
// and on, from alternating senders, a minute apart.
func addMails(s *memory.Store, user string, n int) {
	start := at("2027-02-01T08:00:00Z")
	for i := 1; i <= n; i++ {
		from := "ops@northwind.example.org"
		if i%2 == 0 {
			from = "sales@fabrikam.example.org"
		}
		id := fmt.Sprintf("bulk%04d", i)
		s.PutItem(adapters.Item{ID: id, Key: "mid:" + id + "@" + user, Kind: adapters.KindMessage,
			Subject: fmt.Sprintf("Bulk mail %04d", i), From: from, To: []string{user + "@example.com"},
			Date: start.Add(time.Duration(i) * time.Minute)})
	}
}

var (
	shownRE   = regexp.MustCompile(`name="shown" value="([^"]+)"`)
	checkedRE = regexp.MustCompile(`name="sel" value="([^"]+)"[^>]*checked>`)
	countRE   = regexp.MustCompile(`data-count[^>]*>(\d+) of (\d+) selected<`)
)

// pageIDs reads a dataset page: the ids it shows and those checked.
func pageIDs(body string) (shown, checked []string) {
	for _, m := range shownRE.FindAllStringSubmatch(body, -1) {
		shown = append(shown, m[1])
	}
	for _, m := range checkedRE.FindAllStringSubmatch(body, -1) {
		checked = append(checked, m[1])
	}
	return shown, checked
}

func selectedCount(t testing.TB, body string) string {
	t.Helper()
	m := countRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no selection counter on the page:\n%.2000s", body)
	}
	return m[1] + "/" + m[2]
}

func TestEmailStepPagesSearchesAndKeepsTheSelection(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	addMails(f.sources["sam"], "sam", 500)
	c := f.client()
	c.mustLogin("sam")
	if code, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails"}}); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("areas: %d %q", code, loc)
	}
	_, _, body := c.get("/sync/emails")
	shown, checked := pageIDs(body)
	if len(shown) != pageSize || len(checked) != pageSize {
		t.Fatalf("page 1 shows %d rows, %d checked; want %d of each", len(shown), len(checked), pageSize)
	}
	if got := selectedCount(t, body); got != "503/503" {
		t.Errorf("counter %s, want 503/503", got)
	}
	if !strings.Contains(body, "Bulk mail 0500") || strings.Contains(body, "Bulk mail 0450") {
		t.Error("page 1 is not the 50 newest mails")
	}
	page1 := shown

	// Page 1 → 3 (nothing changed), then deselect two rows on page 3 and go back to page 1.
	v := url.Values{"shown": page1, "sel": page1, "nav": {"page:3"}, "paged": {"1"}}
	if code, loc, _ := c.form("/sync/emails", v); code != http.StatusSeeOther || loc != "/sync/emails?page=3" {
		t.Fatalf("to page 3: %d %q", code, loc)
	}
	_, _, body = c.get("/sync/emails?page=3")
	page3, _ := pageIDs(body)
	if len(page3) != pageSize || !strings.Contains(body, "Bulk mail 0400") {
		t.Fatalf("page 3 shows %d rows", len(page3))
	}
	v = url.Values{"shown": page3, "sel": page3[2:], "nav": {"page:1"}, "cur_page": {"3"}, "paged": {"1"}}
	if code, loc, _ := c.form("/sync/emails", v); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("back to page 1: %d %q", code, loc)
	}
	_, _, body = c.get("/sync/emails")
	if got := selectedCount(t, body); got != "501/503" {
		t.Errorf("after deselecting two on page 3, page 1 counts %s, want 501/503", got)
	}
	_, _, body = c.get("/sync/emails?page=3") // what the browser's Back shows
	if _, checked := pageIDs(body); len(checked) != pageSize-2 {
		t.Errorf("page 3 again has %d checked, want %d", len(checked), pageSize-2)
	}

	// Search narrows; "select none matching" clears only what matches.
	v = url.Values{"q": {"fabrikam"}, "nav": {"search"}, "paged": {"1"}}
	if code, loc, _ := c.form("/sync/emails", v); code != http.StatusSeeOther || loc != "/sync/emails?q=fabrikam" {
		t.Fatalf("search: %d %q", code, loc)
	}
	_, _, body = c.get("/sync/emails?q=fabrikam")
	if !strings.Contains(body, "1–50 of 250") {
		t.Errorf("search for fabrikam does not find the 250 mails from sales@fabrikam")
	}
	_, _, body = c.get("/sync/emails?q=bulk+mail+0007")
	if shown, _ := pageIDs(body); len(shown) != 1 {
		t.Errorf("subject search finds %d rows, want 1", len(shown))
	}
	if code, _, _ := c.form("/sync/emails", url.Values{"nav": {"none"}, "cur_q": {"fabrikam"}, "paged": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("select none matching: %d", code)
	}
	_, _, body = c.get("/sync/emails")
	// 503 - 250 from fabrikam; of the two dropped on page 3 one was from fabrikam.
	if got := selectedCount(t, body); got != "252/503" {
		t.Errorf("after clearing fabrikam: %s, want 252/503", got)
	}
	// Sorted by subject, A first: the three seed mails sort after "Bulk".
	_, _, body = c.get("/sync/emails?sort=subject")
	if i, j := strings.Index(body, "Bulk mail 0001"), strings.Index(body, "Bulk mail 0002"); i < 0 || j < i {
		t.Error("sort by subject does not start with Bulk mail 0001, 0002")
	}

	if code, loc, _ := c.form("/sync/emails", url.Values{"nav": {"next"}, "paged": {"1"}}); code != http.StatusSeeOther || loc != "/sync/execute" {
		t.Fatalf("next: %d %q", code, loc)
	}
	_, _, body = c.get("/sync/execute")
	if !strings.Contains(body, `id="total-writes">252<`) {
		t.Errorf("execute announces other than 252 writes")
	}
	if !strings.Contains(body, `id="display-activities"`) {
		t.Error("the execute step lacks the seed's alternative: display the imported activities")
	}
	c.form("/sync/execute", url.Values{"nav": {"run"}})
	summary := c.waitRun()
	got := f.subjects("sam")
	if len(got) != 252 {
		t.Errorf("the CRM holds %d activities, want the 252 selected", len(got))
	}
	if got["Bulk mail 0399"] || !got["Bulk mail 0401"] {
		t.Error("the row deselected on page 3 was imported, or its neighbour was not")
	}
	for i := 2; i <= 500; i += 2 {
		if s := fmt.Sprintf("Bulk mail %04d", i); got[s] {
			t.Fatalf("%s was cleared (fabrikam) but imported", s)
		}
	}
	m := regexp.MustCompile(`href="/activities\?run=(\d+)" id="show-activities"`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("the summary links to no run's activities:\n%s", summary)
	}
	_, _, body = c.get("/activities?run=" + m[1])
	if !strings.Contains(body, `id="activities-count">252 activities<`) {
		t.Errorf("the run's activities are not the 252 it created")
	}
}

func TestActivitiesOfOneRunOnly(t *testing.T) {
	f := newFixture(t, []User{sam(t), {Name: "ada", PasswordHash: hash(t)}}, nil)
	c := f.client()
	c.mustLogin("sam")
	run := func(areas ...string) string {
		c.form("/sync/restart", nil)
		c.form("/sync/areas", url.Values{"area": areas})
		for {
			// "paged" with no "shown": this page changed nothing.
			_, loc, _ := c.form(mustStep(t, c), url.Values{"nav": {"next"}, "paged": {"1"}})
			if loc == "/sync/execute" {
				break
			}
		}
		c.form("/sync/execute", url.Values{"nav": {"run"}})
		m := regexp.MustCompile(`/activities\?run=(\d+)"`).FindStringSubmatch(c.waitRun())
		if m == nil {
			t.Fatal("no link to the run's activities")
		}
		return m[1]
	}
	first := run("emails")
	second := run("appointments")
	_, _, body := c.get("/activities?run=" + first)
	if !strings.Contains(body, "Purchase order 2027-0042") || strings.Contains(body, "Pricing negotiation") {
		t.Errorf("run %s's activities are not its three e-mails:\n%s", first, body)
	}
	_, _, body = c.get("/activities?run=" + second + "&type=MEETING")
	if !strings.Contains(body, "Pricing negotiation") || strings.Contains(body, "Customer visit") || strings.Contains(body, "Purchase order") {
		t.Errorf("run %s's meetings are not just the one", second)
	}
	// Another user cannot look at sam's run.
	a := f.client()
	a.mustLogin("ada")
	if code, _, body := a.get("/activities?run=" + first); code != http.StatusNotFound || strings.Contains(body, "Purchase order") {
		t.Errorf("ada asks for sam's run: %d", code)
	}
}

// mustStep is where the wizard is now.
func mustStep(t *testing.T, c *client) string {
	t.Helper()
	_, loc, _ := c.get("/sync")
	return loc
}

func TestActivitiesPageThroughSearchAndSort(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	for i := 1; i <= 120; i++ {
		f.crm.Upsert(context.Background(), []adapters.Activity{{Type: adapters.TypeMailIn, Subject: fmt.Sprintf("Note %03d", i),
			Owners: []string{"sam"}, Key: fmt.Sprintf("k%d", i), Raster: adapters.Raster{Start: at("2027-03-01T10:00:00Z").Add(time.Duration(i) * time.Hour)}}})
	}
	c := f.client()
	c.mustLogin("sam")
	_, _, body := c.get("/activities")
	if !strings.Contains(body, "1–50 of 120") || !strings.Contains(body, "Note 120") || strings.Contains(body, "Note 070") {
		t.Errorf("first page is not the 50 newest of 120")
	}
	_, _, body = c.get("/activities?page=3")
	if !strings.Contains(body, "101–120 of 120") || !strings.Contains(body, "Note 001") {
		t.Errorf("page 3 is not the oldest 20")
	}
	_, _, body = c.get("/activities?q=note+11&sort=subject")
	if !strings.Contains(body, `id="activities-count">10 activities<`) || strings.Contains(body, "Note 011") {
		t.Errorf("search for note 11 does not find the 10 from 110 to 119")
	}
	if i, j := strings.Index(body, "Note 110"), strings.Index(body, "Note 111"); i < 0 || j < i {
		t.Error("sort by subject does not put Note 110 first")
	}
}
