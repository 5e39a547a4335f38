package credentials

import (
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// Account names a login in the user's words: what it holds and its
// server ("mail at mail.example.com", "calendar at dav.example.com"),
// never the config's source name, the adapter's name or a raw URL.
// What comes from the kinds the adapter declares; an adapter that
// declares none (an external plugin) is "groupware".
func (l Login) Account() string {
	what := accountKind(l.Plugin)
	if host := hostOf(l.URL); host != "" {
		return what + " at " + host
	}
	return "your " + what + " account"
}

func accountKind(plugin string) string {
	r, _ := adapters.Lookup(plugin)
	mail, calendar := false, false
	for _, k := range r.Kinds {
		switch k {
		case adapters.KindMessage:
			mail = true
		case adapters.KindEvent, adapters.KindTask:
			calendar = true
		}
	}
	switch {
	case mail && calendar:
		return "mail and calendar"
	case mail:
		return "mail"
	case calendar:
		return "calendar"
	}
	return "groupware"
}

// hostOf is the host name of a source URL, without scheme, port, user
// or path; "" when there is none.
func hostOf(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		// "host:993" or a bare host: keep what precedes a port or a path.
		h, _, _ := strings.Cut(raw, "/")
		if i := strings.LastIndexByte(h, ':'); i > 0 {
			h = h[:i]
		}
		if strings.ContainsAny(h, "@ ") {
			return ""
		}
		return h
	}
	return u.Hostname()
}
