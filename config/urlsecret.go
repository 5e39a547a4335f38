package config

import (
	"net/url"
	"strings"
)

// hasURLPassword reports whether s is an HTTP(S) URL with a password in
// its userinfo (https://user:pw@host/): adapters log and print their URLs.
// A user name alone is harmless. Database DSNs (a CRM's dsn) are not URLs
// an adapter shows, and keep their own syntax.
func hasURLPassword(s string) bool {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	_, set := u.User.Password()
	return set
}

// redactURL replaces the userinfo of a URL by "xxxxx", so that a URL can be
// logged or printed without the credentials it may carry. Text that is
// not a URL with userinfo is returned as it is.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
