package credentials_test

import (
	"testing"

	"github.com/gwsync/gwsync/adapters/credentials"

	_ "github.com/gwsync/gwsync/adapters/caldav"
	_ "github.com/gwsync/gwsync/adapters/imap"
)

func TestAccountIsInTheUsersWords(t *testing.T) {
	for _, tc := range []struct {
		l    credentials.Login
		want string
	}{
		{credentials.Login{Name: "inbox", Plugin: "imap", URL: "imaps://mail.example.com:993"}, "mail at mail.example.com"},
		{credentials.Login{Name: "work-cal", Plugin: "caldav", URL: "https://sam:x@dav.example.com/dav/calendars/sam/"}, "calendar at dav.example.com"},
		{credentials.Login{Name: "cal", Plugin: "caldav", URL: "dav.example.com:8443/x"}, "calendar at dav.example.com"},
		{credentials.Login{Name: "inbox", Plugin: "imap"}, "your mail account"},
		{credentials.Login{Name: "x", Plugin: "gwsync-plugin-acme", URL: "https://acme.example/"}, "groupware at acme.example"},
	} {
		if got := tc.l.Account(); got != tc.want {
			t.Errorf("%+v.Account() = %q; want %q", tc.l, got, tc.want)
		}
	}
}
