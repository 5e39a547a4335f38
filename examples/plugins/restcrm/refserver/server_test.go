package refserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/examples/plugins/restcrm/refserver"
)

// call sends one request to the reference CRM and returns the status and
// the body.
func call(t *testing.T, srv *httptest.Server, method, path, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tok")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}

// TestDocumentedAnswers: the statuses and error codes the README's table
// promises, for what the sink does not exercise itself.
func TestDocumentedAnswers(t *testing.T) {
	srv := httptest.NewServer(refserver.New("tok"))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/activities?owner=sam", nil)
	resp, err := http.DefaultClient.Do(req) // no token
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %s, want 401", resp.Status)
	}

	cases := []struct {
		method, path, body string
		header             []string
		status             int
		code               string
	}{
		{"GET", "/activities", "", nil, 400, "bad_request"},
		{"GET", "/activities?owner=sam&page_size=501", "", nil, 400, "bad_request"},
		{"POST", "/activities", `{"type":"TASK","subject":"Call back","owners":["sam"],"contacts":[]}`, nil, 201, ""},
		{"POST", "/activities", `{"type":"NOTE","subject":"x","owners":[],"contacts":[]}`, nil, 422, "invalid_activity"},
		{"POST", "/activities", `{"type":"TASK","subject":"x","owners":[],"contacts":[],"colour":"red"}`, nil, 400, "bad_request"},
		{"POST", "/activities", `{"type":"MAILIN","subject":"m","key":"mid:1","owners":[],"contacts":[]}`, nil, 201, ""},
		{"POST", "/activities", `{"type":"MAILIN","subject":"m","key":"mid:1","owners":[],"contacts":[]}`, nil, 409, "exists"},
		{"PATCH", "/activities/1/times", `{"start":"2027-01-01T09:00:00Z"}`, []string{"If-Match", "7"}, 412, "version_mismatch"},
		{"PATCH", "/activities/1/times", `{"start":"2027-01-01T09:00:00Z"}`, []string{"If-Match", "1"}, 200, ""},
		{"PATCH", "/activities/1/times", `{"start":"2027-01-02T09:00:00Z"}`, nil, 200, ""},
		{"PATCH", "/activities/99/times", `{}`, nil, 404, "not_found"},
		{"POST", "/contacts", `{"email":"Frida@Example.org","name":"Frida"}`, nil, 201, ""},
		{"POST", "/contacts", `{"email":"frida@example.org"}`, nil, 409, "exists"},
		{"GET", "/contacts?email=FRIDA@example.org", "", nil, 200, ""},
	}
	for _, c := range cases {
		status, body := call(t, srv, c.method, c.path, c.body, c.header...)
		if status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, status, body, c.status)
			continue
		}
		if c.code != "" {
			var e refserver.ErrorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != c.code || e.Error.Message == "" {
				t.Errorf("%s %s: body %s, want error code %s with a message", c.method, c.path, body, c.code)
			}
		}
	}

	// Two PATCHes: the version counts them, the times are the last one's.
	_, body := call(t, srv, "GET", "/activities?owner=sam", "")
	var page refserver.ActivityPage
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Activities) != 1 {
		t.Fatalf("listing: %s", body)
	}
	if a := page.Activities[0]; a.Version != "3" || a.Start == nil || a.Start.Day() != 2 {
		t.Errorf("after two time changes: version %s start %v, want 3 and 2 January", a.Version, a.Start)
	}
	if _, body := call(t, srv, "GET", "/contacts?email=frida@example.org", ""); !strings.Contains(body, `"name":"Frida"`) || !strings.Contains(body, `"email":"frida@example.org"`) {
		t.Errorf("contact lookup: %s", body)
	}
}

// TestBatchPerItemErrors: a batch refuses bad activities one by one and
// takes the others; a key sent twice is created once.
func TestBatchPerItemErrors(t *testing.T) {
	srv := httptest.NewServer(refserver.New("tok"))
	defer srv.Close()
	status, body := call(t, srv, "POST", "/activities/batch", `{"activities":[
		{"type":"FOLLOWUP","subject":"f","key":"ical:f","owners":["sam"],"contacts":[]},
		{"type":"MAILIN","subject":"no key","owners":["sam"],"contacts":[]},
		{"type":"MAILIN","subject":"ok","key":"mid:ok","owners":["sam"],"contacts":[{"email":"Bob@Example.com"}]},
		{"type":"MAILIN","subject":"ok","key":"mid:ok","owners":["ann"],"contacts":[]}]}`)
	if status != 200 {
		t.Fatalf("batch: %d %s", status, body)
	}
	var resp refserver.BatchResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Results) != 4 {
		t.Fatalf("batch answer: %s", body)
	}
	for i := 0; i < 2; i++ {
		if e := resp.Results[i].Error; e == nil || e.Code != refserver.CodeInvalid {
			t.Errorf("result %d: %+v, want invalid_activity", i, resp.Results[i])
		}
	}
	first, second := resp.Results[2], resp.Results[3]
	if !first.Created || second.Created || first.Activity.ID != second.Activity.ID {
		t.Errorf("same key twice: %+v / %+v, want created once, same id", first, second)
	}
	if got := second.Activity.Owners; len(got) != 2 || got[0] != "sam" || got[1] != "ann" {
		t.Errorf("owners %v, want [sam ann]", got)
	}
	if c := second.Activity.Contacts; len(c) != 1 || c[0].Email != "bob@example.com" || c[0].ID == "" {
		t.Errorf("contacts %+v, want bob@example.com with an id", c)
	}
}
