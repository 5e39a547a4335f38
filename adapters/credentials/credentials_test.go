package credentials_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/all"
	. "github.com/gwsync/gwsync/adapters/credentials"
)

func init() {
	// An adapter whose login and secret options have names of its own.
	adapters.Register(adapters.Registration{
		Name: "credtest",
		Options: []adapters.Option{
			{Name: "server", Type: adapters.TypeString, Login: true, Help: "h"},
			{Name: "url", Type: adapters.TypeString, Help: "h"},
			{Name: "api_key", Type: adapters.TypeString, Secret: true, Help: "h"},
			{Name: "password", Type: adapters.TypeString, Secret: true, Help: "h"},
		},
		NewSource: func(adapters.Config) (adapters.Source, error) { return nil, errors.New("not built") },
	})
}

// The rule reads each adapter's declarations, not a list of its own.
func TestNeedsPasswordReadsTheDeclarations(t *testing.T) {
	cases := []struct {
		plugin, options string
		need            bool
	}{
		{"imap", `{"url": "imaps://127.0.0.1:993", "username": "sam"}`, true},
		{"imap", `{"url": "imaps://127.0.0.1:993", "username": "sam", "oauth_token": "t"}`, false},
		{"caldav", `{"url": "https://127.0.0.1/dav/"}`, true},
		{"caldav", `{"url": "https://127.0.0.1/dav/", "token": "t"}`, false},
		{"exchange", `{"api": "ews", "url": "https://127.0.0.1/EWS/Exchange.asmx", "username": "sam"}`, true},
		{"exchange", `{"api": "ews", "username": "sam", "password_file": "/run/pw"}`, false},
		{"exchange", `{"api": "graph", "tenant_id": "t", "client_id": "c"}`, false},
		{"files", `{"calendar_dir": "/data/cal"}`, false},
		// memory declares no login: a url there asks for nothing.
		{"memory", `{"url": "x", "username": "sam"}`, false},
		// credtest's login is "server" and its secret "api_key"; its url
		// is not a login.
		{"credtest", `{"server": "s"}`, true},
		{"credtest", `{"server": "s", "api_key": "k"}`, false},
		{"credtest", `{"url": "u"}`, false},
	}
	for _, c := range cases {
		if got := NeedsPassword(c.plugin, json.RawMessage(c.options)); got != c.need {
			t.Errorf("NeedsPassword(%s, %s) = %v, want %v", c.plugin, c.options, got, c.need)
		}
	}
}

// The secrets redacted are the declared Secret options' values; a
// SecretFile's path is not one.
func TestSecretValuesAreTheDeclaredSecrets(t *testing.T) {
	got := SecretValues("credtest", json.RawMessage(`{"server": "s", "api_key": "k-123", "password": "pw-456", "url": "u"}`))
	if strings.Join(got, ",") != "k-123,pw-456" {
		t.Errorf("credtest secrets = %v, want [k-123 pw-456]", got)
	}
	got = SecretValues("imap", json.RawMessage(`{"username": "sam", "password_file": "/run/pw", "oauth_token": "tok-1"}`))
	if strings.Join(got, ",") != "tok-1" {
		t.Errorf("imap secrets = %v, want [tok-1]", got)
	}
	err := &SourceError{Source: "inbox", Err: adapters.Errorf(adapters.CodeUnauthorized, "login as sam with tok-1 refused")}
	red := RedactError(err, got...)
	var se *SourceError
	if !errors.As(red, &se) || se.Source != "inbox" || adapters.CodeOf(red) != adapters.CodeUnauthorized || strings.Contains(red.Error(), "tok-1") {
		t.Errorf("redacted = %#v (%v), want the source, the code and no token", red, red)
	}
}

// An external plugin declares nothing: the convention applies.
func TestConventionForPluginsThatDeclareNothing(t *testing.T) {
	cases := []struct {
		options string
		need    bool
	}{
		{`{"url": "imaps://127.0.0.1:993", "username": "sam"}`, true},
		{`{"username": "sam"}`, true},
		{`{"url": "https://127.0.0.1/dav/"}`, true},
		{`{"url": "imaps://127.0.0.1", "username": "sam", "password": "x"}`, false},
		{`{"url": "imaps://127.0.0.1", "username": "sam", "password_file": "/run/pw"}`, false},
		{`{"url": "https://127.0.0.1/dav/", "token": "t"}`, false},
		{`{"url": "imaps://127.0.0.1", "username": "sam", "oauth_token": "t"}`, false},
		{`{"tenant": "x", "client_secret": "s"}`, false},
		{`{"tenant": "x", "username": "sam", "client_secret_file": "/run/s"}`, false},
		// An empty value (an env reference that expanded to nothing) is no credential.
		{`{"username": "sam", "password": ""}`, true},
		{`{"username": "", "url": ""}`, false},
		{`{"dir": "/data/mail"}`, false}, // files: nothing to log in to
		{`{}`, false},
		{``, false},
		{`null`, false},
		{`[1, 2]`, false},
		{`{broken`, false},
	}
	for _, c := range cases {
		if got := NeedsPassword("external", json.RawMessage(c.options)); got != c.need {
			t.Errorf("NeedsPassword(external, %s) = %v, want %v", c.options, got, c.need)
		}
	}
	l, ok := LoginOf("inbox", "imap", json.RawMessage(`{"url": "imaps://127.0.0.1:993", "username": "sam", "folder": "INBOX"}`))
	if !ok || l != (Login{Name: "inbox", Plugin: "imap", URL: "imaps://127.0.0.1:993", Username: "sam"}) {
		t.Errorf("LoginOf = %+v, %v", l, ok)
	}
}

func TestMergePasswordAddsOnlyThePassword(t *testing.T) {
	orig := json.RawMessage(`{"url": "imaps://127.0.0.1:993", "username": "sam", "folders": ["A", "B"]}`)
	before := string(orig)
	out, err := MergePassword(orig, `pa"ss\word`)
	if err != nil {
		t.Fatal(err)
	}
	if string(orig) != before {
		t.Errorf("the config's options changed: %s", orig)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m["password"] != `pa"ss\word` || m["username"] != "sam" || len(m["folders"].([]any)) != 2 || len(m) != 4 {
		t.Errorf("merged options %s", out)
	}
	if out, err := MergePassword(nil, "pw"); err != nil || string(out) != `{"password":"pw"}` {
		t.Errorf("no options: %s, %v", out, err)
	}
	if _, err := MergePassword(json.RawMessage(`[1]`), "hunter2-secret"); err == nil || strings.Contains(err.Error(), "hunter2-secret") {
		t.Errorf("bad options: %v (want an error without the password)", err)
	}
}
