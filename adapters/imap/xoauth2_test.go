package imap_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// dovecotOAuth mints tokens for the oauth2 passdb of the Dovecot that
// scripts/servers/dovecot.sh started: HS256 with its key, its issuer.
type dovecotOAuth struct {
	key    []byte
	issuer string
}

func dovecotTokens(t *testing.T) dovecotOAuth {
	b64, err := os.ReadFile(testVar(t, "DOVECOT_OAUTH_KEY_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b64)))
	if err != nil {
		t.Fatalf("oauth key file: %v", err)
	}
	return dovecotOAuth{key: key, issuer: testVar(t, "DOVECOT_OAUTH_ISSUER")}
}

// token is a bearer token for user that expires at exp.
func (o dovecotOAuth) token(t *testing.T, user string, exp time.Time) string {
	return imaptest.HS256(t, o.key, map[string]any{"iss": o.issuer, "sub": user, "exp": exp.Unix()})
}

// openLogged opens a source whose log (every level) goes to the buffer.
func openLogged(t *testing.T, opts []byte) (*imap.Source, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Trace})
	src, err := imap.New(adapters.Config{Name: "mail", Options: opts, Logger: logger})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { src.Close() })
	return src, &buf
}

// TestDovecotXOAuth2: a valid token logs in with AUTHENTICATE XOAUTH2 over
// STARTTLS and over imaps, and the snapshot imports the folder; the token
// shows up in no log line.
func TestDovecotXOAuth2(t *testing.T) {
	srv, oauth := dovecotServer(t), dovecotTokens(t)
	imaps, ca := testVar(t, "DOVECOT_IMAPS_ADDR"), testVar(t, "DOVECOT_CA_FILE")
	f := folder("Import Folder")
	imaptest.Append(t, srv.client(t), f, msg("oauth1@x", "OAuth 1", "kunde@example.org"), msg("oauth2@x", "OAuth 2", "kunde@example.org"))
	for _, mode := range []struct{ name, url string }{
		{"starttls", "imap://" + srv.addr}, {"imaps", "imaps://" + imaps},
	} {
		t.Run(mode.name, func(t *testing.T) {
			token := oauth.token(t, srv.user, time.Now().Add(10*time.Minute))
			src, log := openLogged(t, mustJSON(t, map[string]any{"url": mode.url, "username": srv.user,
				"oauth_token": token, "folder": f, "ca_file": ca}))
			items, _ := snap(t, src, "")
			if k := keys(items); len(items) != 2 || k["mid:oauth1@x"] != 1 || k["mid:oauth2@x"] != 1 {
				t.Fatalf("snapshot with a token: keys %v, want oauth1@x and oauth2@x", k)
			}
			if !strings.Contains(log.String(), "imap snapshot") {
				t.Fatalf("the snapshot logged nothing, so the token check below proves nothing: %q", log)
			}
			assertNoToken(t, token, log.String())
		})
	}
}

// TestDovecotXOAuth2Refused: a token Dovecot refuses is one Unauthorized
// error naming the server and the user, after the one AUTHENTICATE (no
// retries), and neither the error nor the log holds the token. The
// password is no token either: the passwd-file passdb must not answer
// XOAUTH2.
func TestDovecotXOAuth2Refused(t *testing.T) {
	srv, oauth := dovecotServer(t), dovecotTokens(t)
	imaps, ca := testVar(t, "DOVECOT_IMAPS_ADDR"), testVar(t, "DOVECOT_CA_FILE")
	other := dovecotOAuth{key: bytes.Repeat([]byte{7}, len(oauth.key)), issuer: oauth.issuer}
	user2 := testVar(t, "DOVECOT_USER2")
	for name, token := range map[string]string{
		"expired":           oauth.token(t, srv.user, time.Now().Add(-time.Minute)),
		"wrongly signed":    other.token(t, srv.user, time.Now().Add(10*time.Minute)),
		"other user's":      oauth.token(t, user2, time.Now().Add(10*time.Minute)),
		"password as token": srv.pass,
	} {
		t.Run(name, func(t *testing.T) {
			src, log := openLogged(t, mustJSON(t, map[string]any{"url": "imaps://" + imaps, "username": srv.user,
				"oauth_token": token, "ca_file": ca}))
			_, err := src.Info(ctx(t))
			want := "imaps://" + imaps + ": login failed for user " + srv.user
			if adapters.CodeOf(err) != adapters.CodeUnauthorized || !strings.Contains(err.Error(), want) {
				t.Fatalf("Info with a refused token: %v, want Unauthorized %q", err, want)
			}
			if n := src.Commands(); n != 1 {
				t.Errorf("%d commands sent, want the one AUTHENTICATE (no retries)", n)
			}
			assertNoToken(t, token, err.Error()+"\n"+log.String())
		})
	}
}

// assertNoToken fails when text holds the token or its signature (the
// part that makes it a credential).
func assertNoToken(t *testing.T, token, text string) {
	t.Helper()
	sig := token[strings.LastIndex(token, ".")+1:]
	if strings.Contains(text, token) || strings.Contains(text, sig) {
		t.Errorf("the token leaks into:\n%s", text)
	}
}
