package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestPprofOnlyForAdminsAndTheMetricsToken: the profiles index answers an
// admin's session and the metrics bearer token, and refuses anonymous
// requests, a wrong token and a logged-in user who is not an admin.
func TestPprofOnlyForAdminsAndTheMetricsToken(t *testing.T) {
	root := sam(t)
	root.Name, root.Admin = "root", true
	f := newFixture(t, []User{sam(t), root}, func(o *Options) { o.MetricsToken = "s3cret-metrics" })
	withAuth := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/debug/pprof/", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for auth, want := range map[string]int{"": 403, "Bearer wrong": 403, "Bearer s3cret-metrics": 200} {
		if got := withAuth(auth); got != want {
			t.Errorf("/debug/pprof/ with %q: %d, want %d", auth, got, want)
		}
	}
	user := f.client()
	user.mustLogin("sam")
	if code, _, _ := user.get("/debug/pprof/"); code != http.StatusForbidden {
		t.Errorf("a user who is not an admin: %d, want 403", code)
	}
	admin := f.client()
	admin.mustLogin("root")
	code, _, body := admin.get("/debug/pprof/")
	if code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("an admin: %d, want 200 with the profiles index:\n%.300s", code, body)
	}
	if code, _, body := admin.get("/debug/pprof/heap?debug=1"); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("an admin's heap profile: %d\n%.200s", code, body)
	}
}
