// Package webtest is the HTTP side of tests that run several web client
// replicas (web/pgsessions, worker/webjobs): one browser whose requests
// go to the replica the test names.
package webtest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"
)

// Browser keeps one cookie jar for every replica and sends each request
// to the replica the test names (0 = the first URL). The jar keys cookies
// by host, not port: replicas listening on 127.0.0.1 all get the cookies
// any of them set, as behind a load balancer. Redirects are not followed,
// so that tests see where an answer sends the user.
type Browser struct {
	t        testing.TB
	replicas []string
	HTTP     *http.Client
}

// NewBrowser is a browser on the replicas' base URLs; timeout bounds each
// request.
func NewBrowser(t testing.TB, timeout time.Duration, replicas ...string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, replicas: replicas, HTTP: &http.Client{Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Do sends a GET, or a POST of form, to path on a replica and returns the
// status, the Location header and the body. A failed request ends the
// test.
func (b *Browser) Do(replica int, method, path string, form url.Values) (code int, location, body string) {
	b.t.Helper()
	u := b.replicas[replica] + path
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = b.HTTP.PostForm(u, form)
	} else {
		resp, err = b.HTTP.Get(u)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(data)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF reads the form token of the page at path on a replica; a page
// without one ends the test.
func (b *Browser) CSRF(replica int, path string) string {
	b.t.Helper()
	_, _, body := b.Do(replica, http.MethodGet, path, nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s of replica %d:\n%s", path, replica, body)
	}
	return m[1]
}
