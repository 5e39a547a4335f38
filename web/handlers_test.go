package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func sam(t *testing.T) User {
	return User{Name: "sam", PasswordHash: hash(t), TimeZone: "Europe/Berlin"}
}

func TestLoginRefusesWrongPasswordAndUnknownUser(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	for _, try := range [][2]string{{"sam", "wrong"}, {"nobody", testPassword}, {"sam", ""}} {
		code, _, body := c.login(try[0], try[1])
		if code != http.StatusUnauthorized || !strings.Contains(body, "Wrong user name or password") {
			t.Errorf("login %v: %d, want 401 with a message", try, code)
		}
	}
	if code, loc, _ := c.get("/sync/areas"); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("after refused logins /sync/areas gave %d %q, want the login page", code, loc)
	}
	c.mustLogin("sam")
	if code, _, body := c.get("/sync/areas"); code != http.StatusOK || !strings.Contains(body, `value="emails"`) {
		t.Fatalf("after login: %d\n%s", code, body)
	}
}

func TestSessionCookieIsHttpOnlyStrictAndSecureWithTLS(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, func(o *Options) { o.SecureCookies = true })
	// By hand: a cookie jar does not send Secure cookies over plain HTTP.
	resp, err := http.Get(f.http.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cookies := resp.Cookies()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader(url.Values{
		"csrf": {csrfRE.FindStringSubmatch(string(page))[1]}, "user": {"sam"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var names []string
	for _, ck := range append(cookies, resp.Cookies()...) {
		names = append(names, ck.Name)
		if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie %+v: want HttpOnly, Secure, SameSite=Strict", ck)
		}
	}
	if !strings.Contains(strings.Join(names, ","), sessionCookie) {
		t.Errorf("the login set cookies %v, none of them the session", names)
	}
}

func TestFormsWithoutCSRFTokenAreRefused(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	// The login form too: without the token, even the right password fails.
	c.get("/login")
	code, loc, _ := c.post("/login", url.Values{"user": {"sam"}, "password": {testPassword}})
	if code != http.StatusForbidden {
		t.Fatalf("login without token: %d %q, want 403", code, loc)
	}
	c.mustLogin("sam")
	for _, v := range []url.Values{{"area": {"emails"}}, {"area": {"emails"}, "csrf": {"forged"}}} {
		code, _, body := c.post("/sync/areas", v)
		if code != http.StatusForbidden || !strings.Contains(body, "security token") {
			t.Errorf("areas form %v: %d, want 403", v, code)
		}
	}
	if n := f.opened.Load(); n != 0 {
		t.Errorf("a refused form started %d jobs, want none", n)
	}
	if code, _, _ := c.post("/logout", nil); code != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", code)
	}
}

func TestWizardGoesInOrderAndPassesUnchosenSteps(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	c.mustLogin("sam")
	// Later steps cannot be opened before the areas are chosen.
	for _, p := range []string{"/sync/emails", "/sync/appointments", "/sync/execute", "/sync/run"} {
		if code, loc, _ := c.get(p); code != http.StatusSeeOther || loc != "/sync/areas" {
			t.Errorf("GET %s first: %d %q, want /sync/areas", p, code, loc)
		}
	}
	if code, _, body := c.form("/sync/areas", url.Values{}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "at least one area") {
		t.Errorf("no area: %d", code)
	}
	// Emails and appointments: tasks is passed through.
	_, loc, _ := c.form("/sync/areas", url.Values{"area": {"emails", "appointments"}})
	if loc != "/sync/emails" {
		t.Fatalf("after areas: %q, want /sync/emails", loc)
	}
	if code, loc, _ := c.get("/sync/appointments"); code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Errorf("skipping ahead to appointments: %d %q, want back to /sync/emails", code, loc)
	}
	if _, loc, _ = c.form("/sync/emails", url.Values{"nav": {"next"}}); loc != "/sync/appointments" {
		t.Fatalf("next from emails: %q, want /sync/appointments (tasks passed through)", loc)
	}
	if code, loc, _ := c.get("/sync/tasks"); code != http.StatusSeeOther {
		t.Errorf("the passed-through tasks step opened: %d %q", code, loc)
	}
	if _, loc, _ = c.form("/sync/appointments", url.Values{"nav": {"back"}}); loc != "/sync/emails" {
		t.Errorf("back from appointments: %q, want /sync/emails", loc)
	}
	if _, loc, _ = c.form("/sync/emails", url.Values{"nav": {"back"}}); loc != "/sync/areas" {
		t.Errorf("back from emails: %q, want /sync/areas", loc)
	}
	// Choosing the areas again keeps the plan but restarts the review.
	if _, loc, _ = c.form("/sync/areas", url.Values{"area": {"tasks"}}); loc != "/sync/tasks" {
		t.Fatalf("only tasks: %q", loc)
	}
	if code, loc, _ := c.get("/sync/execute"); code != http.StatusSeeOther || loc != "/sync/tasks" {
		t.Errorf("execute before reviewing tasks: %d %q", code, loc)
	}
	if _, loc, _ = c.form("/sync/tasks", url.Values{"nav": {"next"}}); loc != "/sync/execute" {
		t.Errorf("next from tasks: %q, want /sync/execute", loc)
	}
	if n := f.opened.Load(); n != 1 {
		t.Errorf("the plan was computed %d times in one wizard run, want 1", n)
	}
}

func TestSelectionReachesTheEngine(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	c.mustLogin("sam")
	c.form("/sync/areas", url.Values{"area": {"emails", "tasks", "appointments"}})
	mails := c.candidates("/sync/emails")
	if len(mails) != 3 {
		t.Fatalf("email candidates %v, want 3", mails)
	}
	_, _, body := c.get("/sync/emails")
	if strings.Count(body, " checked>") != 3 || !strings.Contains(body, "frida.buyer@example.org") || !strings.Contains(body, "MAILIN") {
		t.Errorf("the emails step does not list all three selected, with sender and type:\n%s", body)
	}
	// A made-up id is refused, not ignored.
	if code, _, _ := c.form("/sync/emails", url.Values{"sel": {"ffffffffffff"}}); code != http.StatusBadRequest {
		t.Errorf("unknown id: %d, want 400", code)
	}
	keep := url.Values{"nav": {"next"}}
	for subj, id := range mails {
		if subj != "Re: Product demo on 19 January" {
			keep.Add("sel", id)
		}
	}
	c.form("/sync/emails", keep)
	c.form("/sync/tasks", url.Values{"nav": {"next"}, "sel": {c.candidates("/sync/tasks")["Send quote to Contoso"]}})
	events := c.candidates("/sync/appointments")
	_, loc, _ := c.form("/sync/appointments", url.Values{"nav": {"next"}, "sel": {events["Pricing negotiation with Fabrikam"]}})
	if loc != "/sync/execute" {
		t.Fatalf("after appointments: %q", loc)
	}
	if _, _, body := c.get("/sync/execute"); !strings.Contains(body, `id="total-writes">4<`) {
		t.Errorf("execute page does not announce 4 writes:\n%s", body)
	}
	if _, loc, _ := c.form("/sync/execute", url.Values{"nav": {"run"}}); loc != "/sync/run" {
		t.Fatalf("execute: %q", loc)
	}
	summary := c.waitRun()
	if !strings.Contains(summary, `<div class="n">4</div><div class="label">Created</div>`) {
		t.Errorf("summary does not say 4 created:\n%s", summary)
	}
	got := f.subjects("sam")
	for _, want := range []string{"Request for quote: 12 Enterprise seats", "Purchase order 2027-0042", "Send quote to Contoso", "Pricing negotiation with Fabrikam"} {
		if !got[want] {
			t.Errorf("%q was selected but not imported (CRM has %v)", want, got)
		}
	}
	for _, not := range []string{"Re: Product demo on 19 January", "Customer visit Northwind Traders"} {
		if got[not] {
			t.Errorf("%q was deselected but imported", not)
		}
	}
	// The run is over: the steps before it are closed, the activities page shows the import.
	if code, loc, _ := c.get("/sync/emails"); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Errorf("emails after the run: %d %q", code, loc)
	}
	_, _, acts := c.get("/activities?type=MAILIN")
	if !strings.Contains(acts, "Purchase order 2027-0042") || strings.Contains(acts, "Send quote to Contoso") {
		t.Errorf("activities filtered by MAILIN:\n%s", acts)
	}
	if code, _, _ := c.get("/activities?type=BOGUS"); code != http.StatusBadRequest {
		t.Errorf("unknown type filter: %d", code)
	}
	// A new wizard run plans again and offers only what is left.
	if _, loc, _ := c.form("/sync/restart", nil); loc != "/sync/areas" {
		t.Fatalf("restart: %q", loc)
	}
	c.form("/sync/areas", url.Values{"area": {"emails"}})
	if left := c.candidates("/sync/emails"); len(left) != 1 || left["Re: Product demo on 19 January"] == "" {
		t.Errorf("second run offers %v, want only the deselected e-mail", left)
	}
	_, _, metrics := c.get("/metrics")
	for _, want := range []string{`gwsync_runs_total{status="ok",trigger="manual"} 1`, `gwsync_items_total{action="create",outcome="ok",type="MAILIN"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestAutomaticUserIsNotOfferedResyncAndIsScheduled(t *testing.T) {
	ada := User{Name: "ada", PasswordHash: hash(t), Automatic: true}
	f := newFixture(t, []User{sam(t), ada}, func(o *Options) { o.Interval = time.Hour })
	ctx := t.Context()
	go f.srv.runScheduler(ctx)

	c := f.client()
	c.mustLogin("ada")
	_, _, body := c.get("/sync/areas")
	if strings.Contains(body, `value="resync"`) || !strings.Contains(body, `value="emails"`) {
		t.Errorf("automatic user's areas:\n%s", body)
	}
	if code, _, _ := c.form("/sync/areas", url.Values{"area": {"resync"}}); code != http.StatusBadRequest {
		t.Errorf("posting resync anyway: %d, want 400", code)
	}
	sc := f.client()
	sc.mustLogin("sam")
	if _, _, body := sc.get("/sync/areas"); !strings.Contains(body, `value="resync"`) {
		t.Errorf("manual user is not offered resync")
	}

	// The scheduler runs ada at once, and only ada.
	deadline := time.Now().Add(10 * time.Second)
	for len(f.subjects("ada")) < 6 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(f.subjects("ada")); n != 6 {
		t.Fatalf("scheduler imported %d of ada's 6 items", n)
	}
	if n := len(f.subjects("sam")); n != 0 {
		t.Errorf("scheduler imported %d items of the manual user", n)
	}
	var status string
	for time.Now().Before(deadline) { // the journal closes just after the last write
		if _, _, status = c.get("/status"); strings.Contains(status, "(ok)") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"automatic, every 1h0m0s", `id="last-run">`, "(ok)", `id="next-run">`} {
		if !strings.Contains(status, want) {
			t.Errorf("status page lacks %q:\n%s", want, status)
		}
	}
	_, _, metrics := c.get("/metrics")
	if !strings.Contains(metrics, `gwsync_runs_total{status="ok",trigger="automatic"} 1`) {
		t.Errorf("metrics lack the automatic run")
	}
}

func TestStatusShowsPerItemErrors(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	f.sources["sam"].PutItem(engineUnreadable())
	c := f.client()
	c.mustLogin("sam")
	c.form("/sync/areas", url.Values{"area": {"emails"}})
	c.form("/sync/emails", url.Values{"nav": {"next"}})
	_, _, body := c.get("/sync/execute")
	if !strings.Contains(body, "broken.eml") {
		t.Errorf("execute page does not warn about the unreadable item:\n%s", body)
	}
	c.form("/sync/execute", url.Values{"nav": {"run"}})
	summary := c.waitRun()
	if !strings.Contains(summary, "no headers at all") || !strings.Contains(summary, "partial") {
		t.Errorf("summary lacks the error and its reason:\n%s", summary)
	}
	_, _, status := c.get("/status")
	if !strings.Contains(status, "broken.eml") || !strings.Contains(status, "no headers at all") || !strings.Contains(status, "(attempts: 1)") {
		t.Errorf("status lacks the outstanding item with its attempts:\n%s", status)
	}
}

func TestHealthzAndShutdown(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, nil)
	c := f.client()
	if code, _, body := c.get("/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz: %d %q", code, body)
	}
	f.srv.Shutdown()
	if code, _, _ := c.get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz while shutting down: %d", code)
	}
	if f.srv.beginRun() {
		t.Error("a run could start after shutdown")
	}
}
