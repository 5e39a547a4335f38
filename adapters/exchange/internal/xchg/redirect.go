package xchg

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// maxRedirects bounds a chain of redirects within one origin.
const maxRedirects = 10

// sameOriginRedirects is the CheckRedirect of every client HTTPClient
// builds: credentials (Basic, Bearer, NTLM, a client secret in a token
// request) belong to the origin (scheme, host, port) they were configured
// for, so a redirect to another origin is refused with an error naming
// both URLs. Go's own rule would forward the Authorization header to
// another port of the same host, to a subdomain and from https to http.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	from := via[len(via)-1].URL
	if !sameOrigin(via[0].URL, req.URL) {
		return adapters.Errorf(adapters.CodeInvalidConfig,
			"%s redirects to %s, another origin; credentials are only sent to %s://%s, so configure the URL it redirects to",
			from.Redacted(), req.URL.Redacted(), via[0].URL.Scheme, via[0].URL.Host)
	}
	if len(via) >= maxRedirects {
		return adapters.Errorf(adapters.CodeUnknown, "%s: more than %d redirects", via[0].URL.Redacted(), maxRedirects)
	}
	return nil
}

// sameOrigin compares scheme, host and port (the scheme's default port
// when none is written).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
