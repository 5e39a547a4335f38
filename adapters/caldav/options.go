package caldav

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/netx"
)

// Options of the caldav adapter, alike across adapters.
type Options struct {
	// URL is the server root or any URL below it (principal, home set).
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
	// Password, PasswordFile (its first line) or Token (bearer): at most one.
	Password     string `json:"password,omitempty"`
	PasswordFile string `json:"password_file,omitempty"`
	Token        string `json:"token,omitempty"`
	// Calendars and TaskLists pick collections by display name or path.
	// Absent means all collections offering VEVENT (VTODO); an empty list
	// means none.
	Calendars []string `json:"calendars,omitempty"`
	TaskLists []string `json:"task_lists,omitempty"`
	// CAFile is a PEM bundle trusted in addition to the system roots
	// (netx.RootCAs: the one meaning in every adapter).
	CAFile string `json:"ca_file,omitempty"`
	// Timeout bounds connecting and the TLS handshake ("15s" by
	// default); StallTimeout how long the server may stay silent: until
	// the first byte of an answer and between two bytes of one ("60s").
	// A long answer that keeps moving is never cut.
	Timeout      string `json:"timeout,omitempty"`
	StallTimeout string `json:"stall_timeout,omitempty"`
}

// optionDecls declares Options for the registration.
var optionDecls = []adapters.Option{
	{Name: "url", Type: adapters.TypeString, Login: true, Help: "server root, principal or calendar home URL (http or https)"},
	{Name: "username", Type: adapters.TypeString, Login: true, Help: "user name for basic authentication"},
	{Name: "password", Type: adapters.TypeString, Secret: true, Help: "password for basic authentication"},
	{Name: "password_file", Type: adapters.TypeString, SecretFile: true, Help: "file whose first line is the password"},
	{Name: "token", Type: adapters.TypeString, Secret: true, Help: "bearer token instead of a password"},
	{Name: "calendars", Type: adapters.TypeStrings, Help: "calendars to read, by display name or path; absent means all"},
	{Name: "task_lists", Type: adapters.TypeStrings, Help: "task lists to read, by display name or path; absent means all"},
	{Name: "ca_file", Type: adapters.TypeString, Help: netx.CAFileHelp},
	{Name: "timeout", Type: adapters.TypeString, Default: DefaultTimeout.String(), Help: "bound on connecting and the TLS handshake"},
	{Name: "stall_timeout", Type: adapters.TypeString, Default: DefaultStallTimeout.String(), Help: "how long the server may stay silent while an answer is due"},
}

// Defaults of timeout and stall_timeout.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultStallTimeout = 60 * time.Second
)

// rawOptions tells an absent list from an empty one.
type rawOptions struct {
	Options
	Calendars *[]string `json:"calendars"`
	TaskLists *[]string `json:"task_lists"`
}

// settings are checked options.
type settings struct {
	Options
	base                  *url.URL
	allCalendars, allTask bool
	timeout, stall        time.Duration
}

// parseOptions decodes and checks options without I/O other than reading
// nothing: files (password_file, ca_file) are read on first connect.
// Errors: InvalidConfig naming the option.
func parseOptions(raw []byte) (settings, error) {
	var ro rawOptions
	if err := adapters.DecodeOptions(raw, &ro); err != nil {
		return settings{}, err
	}
	s := settings{Options: ro.Options}
	if ro.Calendars != nil {
		s.Calendars = *ro.Calendars
	} else {
		s.allCalendars = true
	}
	if ro.TaskLists != nil {
		s.TaskLists = *ro.TaskLists
	} else {
		s.allTask = true
	}
	if s.URL == "" {
		return s, adapters.Errorf(adapters.CodeInvalidConfig, "options: url is required")
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s, adapters.Errorf(adapters.CodeInvalidConfig, "options: url %q is not an http(s) URL", s.URL)
	}
	s.base = u
	if s.timeout, err = duration("timeout", s.Timeout, DefaultTimeout); err != nil {
		return s, err
	}
	if s.stall, err = duration("stall_timeout", s.StallTimeout, DefaultStallTimeout); err != nil {
		return s, err
	}
	n := 0
	for _, v := range []string{s.Password, s.PasswordFile, s.Token} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return s, adapters.Errorf(adapters.CodeInvalidConfig, "options: give only one of password, password_file and token")
	}
	if (s.Password != "" || s.PasswordFile != "") && s.Username == "" {
		return s, adapters.Errorf(adapters.CodeInvalidConfig, "options: a password needs a username")
	}
	return s, nil
}

// duration reads a duration option ("30s", "2m"): def when empty, else a
// positive Go duration. Errors: InvalidConfig naming the option.
func duration(name, v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, adapters.Errorf(adapters.CodeInvalidConfig, "options: %s %q: want a positive duration such as \"30s\" or \"2m\"", name, v)
	}
	return d, nil
}

// authorizer returns how requests are signed, reading password_file.
//
// A username without any secret is accepted by the constructor (the CLI
// asks for the password on a terminal, the web client on its login page);
// when nobody supplied one, it is Unauthorized here, before any request,
// naming what is missing.
func (s settings) authorizer() (func(*http.Request), error) {
	if s.Username != "" && s.Password == "" && s.PasswordFile == "" && s.Token == "" {
		return nil, adapters.Errorf(adapters.CodeUnauthorized, "%s: user %s needs a password (password, password_file or token)", s, s.Username)
	}
	pw := s.Password
	if s.PasswordFile != "" {
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "options: password_file: %v", err)
		}
		pw, _, _ = strings.Cut(string(b), "\n")
		pw = strings.TrimRight(pw, "\r")
	}
	switch {
	case s.Token != "":
		tok := s.Token
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, nil
	case s.Username != "":
		user := s.Username
		return func(r *http.Request) { r.SetBasicAuth(user, pw) }, nil
	}
	return nil, nil
}

// transport returns the HTTP transport: TLS verified, plus ca_file;
// connecting and the TLS handshake bounded by timeout (the answer itself
// is bounded by davx.Client.Stall).
func (s settings) transport() (http.RoundTripper, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.DialContext = (&net.Dialer{Timeout: s.timeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = s.timeout
	if s.CAFile != "" {
		pool, err := netx.RootCAs(s.CAFile)
		if err != nil {
			return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "options")
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return t, nil
}

func (s settings) String() string { return fmt.Sprintf("caldav %s", s.base.Redacted()) }
