package caldav

import (
	"encoding/pem"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/caldav"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/caldavtest"
)

func openPlain(t *testing.T, o map[string]any) *Source {
	t.Helper()
	s, err := New(adapters.Config{Name: "t", Options: opts(t, o), TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A server that refuses the connection is said once, plainly: no
// "current-user-principal", the URL once.
func TestRefusedConnectionSaidOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	u := "http://" + addr + "/dav/"
	_, err = openPlain(t, map[string]any{"url": u}).Info(t.Context())
	want := "caldav " + u + ": cannot connect to " + addr + ": connection refused"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v\nwant it to start with %q", err, want)
	}
	if n := strings.Count(err.Error(), addr); n != 2 || strings.Contains(err.Error(), "principal") {
		t.Errorf("the address appears %d times (want the URL and the address once each): %v", n, err)
	}
}

// A self-signed server: refused with a hint at ca_file, then trusted
// through ca_file (added to the system roots).
func TestSelfSignedServerAndCAFile(t *testing.T) {
	b := caldavtest.NewBackend()
	b.AddCalendar("work", "Work", "VEVENT")
	srv := httptest.NewTLSServer(&caldav.Handler{Backend: b})
	defer srv.Close()
	_, err := openPlain(t, map[string]any{"url": srv.URL}).Info(t.Context())
	if err == nil || !strings.Contains(err.Error(), "signed by an unknown authority") || !strings.Contains(err.Error(), "ca_file") ||
		adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("self-signed without ca_file: %v (%v)", err, adapters.CodeOf(err))
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openPlain(t, map[string]any{"url": srv.URL, "ca_file": ca}).Info(t.Context()); err != nil {
		t.Fatalf("with ca_file: %v", err)
	}
}

// A username without a password is a valid config (the CLI and the web
// client ask for it); without anybody asking, it fails naming what is
// missing, before any request.
func TestMissingPasswordIsAskedNotRefused(t *testing.T) {
	_, u := fakeServer(t, nil)
	s := openPlain(t, map[string]any{"url": u, "username": "sam"})
	_, err := s.Info(t.Context())
	if adapters.CodeOf(err) != adapters.CodeUnauthorized || !strings.Contains(err.Error(), "user sam needs a password (password, password_file or token)") {
		t.Fatalf("got %v", err)
	}
}
