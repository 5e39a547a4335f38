package graphfake

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recorder collects what the fake reports instead of failing the test, so
// these tests can check that the fake does flag bad requests.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.errs
	r.errs = nil
	return e
}

func token(t *testing.T, s *Server) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(s.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return "fake-access-token-1"
}

// TestFakeFlagsBadRequests: each request breaks one rule the adapter must
// keep; the fake must report it (and answer 400).
func TestFakeFlagsBadRequests(t *testing.T) {
	rec := &recorder{TB: t}
	s := New(rec)
	id := s.AddEvent(map[string]any{"subject": "x", "start": map[string]any{"dateTime": "2026-01-01T10:00:00", "timeZone": "UTC"},
		"end": map[string]any{"dateTime": "2026-01-01T11:00:00", "timeZone": "UTC"}})
	tok := token(t, s)
	user := s.BaseURL() + "/users/" + Mailbox
	for name, req := range map[string]struct{ method, url, ctype, body string }{
		"PATCH changing the subject":  {"PATCH", user + "/events/" + id, "application/json", `{"subject":"new"}`},
		"PATCH without JSON type":     {"PATCH", user + "/events/" + id, "text/plain", `{"start":{"dateTime":"2026-01-01T10:00:00","timeZone":"UTC"}}`},
		"export not busy":             {"POST", user + "/events", "application/json", `{"subject":"s","showAs":"free","singleValueExtendedProperties":[{"id":"` + ActivityProperty + `","value":"a"}]}`},
		"export without property":     {"POST", user + "/events", "application/json", `{"subject":"s","showAs":"busy"}`},
		"calendarView without window": {"GET", user + "/calendarView/delta", "", ""},
		"invented delta token":        {"GET", user + "/calendarView/delta?$deltatoken=made-up", "", ""},
		"unknown endpoint":            {"GET", user + "/contacts", "", ""},
		"other mailbox":               {"GET", s.BaseURL() + "/users/bob@contoso.example/todo/lists", "", ""},
	} {
		r, _ := http.NewRequest(req.method, req.url, strings.NewReader(req.body))
		r.Header.Set("Authorization", "Bearer "+tok)
		if req.ctype != "" {
			r.Header.Set("Content-Type", req.ctype)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if errs := rec.take(); len(errs) != 1 || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: fake reported %v with HTTP %d, want one report and 400", name, errs, resp.StatusCode)
		}
	}
	r, _ := http.NewRequest("GET", user+"/todo/lists", nil)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if errs := rec.take(); len(errs) != 1 {
		t.Errorf("request without Authorization: reported %v", errs)
	}
}
