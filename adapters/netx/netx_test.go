package netx

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// refusedAddr is a loopback address nobody listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// caFile writes the certificate of a TLS test server as a PEM file.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func client(t *testing.T, ca string) *http.Client {
	t.Helper()
	cfg, err := TLSConfig("", ca)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

func TestConnectionRefused(t *testing.T) {
	addr := refusedAddr(t)
	_, err := net.DialTimeout("tcp", addr, 5*time.Second)
	f := Explain(err, "")
	want := "cannot connect to " + addr + ": connection refused"
	if f == nil || !strings.HasPrefix(f.Error(), want) || f.TLS {
		t.Fatalf("Explain = %v, want it to start with %q", f, want)
	}
	// Through net/http, whose error quotes the method and URL as well.
	_, err = client(t, "").Get("http://" + addr + "/dav/")
	if f := Explain(err, addr); f == nil || !strings.HasPrefix(f.Error(), want) || strings.Contains(f.Error(), "/dav/") {
		t.Fatalf("through net/http: %v", f)
	}
	if got := Wrap(err, addr); adapters.CodeOf(got) != adapters.CodeTemporary {
		t.Errorf("a refused connection is %v, want Temporary", adapters.CodeOf(got))
	}
}

func TestSelfSignedNeedsCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, err := client(t, "").Get(srv.URL)
	f := Explain(err, addr)
	if f == nil || !f.TLS || !strings.Contains(f.Error(), "the TLS certificate of "+addr+" is signed by an unknown authority") ||
		!strings.Contains(f.Error(), "ca_file") {
		t.Fatalf("unknown authority: %v (from %v)", f, err)
	}
	if adapters.CodeOf(Wrap(err, addr)) != adapters.CodeInvalidConfig {
		t.Error("a certificate problem should be InvalidConfig: retrying cannot fix it")
	}
	// ca_file is added to the system roots: the server is trusted now.
	ca := caFile(t, srv)
	resp, err := client(t, ca).Get(srv.URL)
	if err != nil {
		t.Fatalf("with ca_file: %v", err)
	}
	resp.Body.Close()

	// A name the certificate does not hold.
	_, port, _ := net.SplitHostPort(addr)
	_, err = client(t, ca).Get("https://localhost:" + port + "/")
	f = Explain(err, "localhost:"+port)
	if f == nil || !f.TLS || !strings.Contains(f.Error(), "not localhost") || !strings.Contains(f.Error(), "example.com") {
		t.Fatalf("wrong name: %v (from %v)", f, err)
	}
}

func TestPlainPortSpokenToWithTLS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, err := client(t, "").Get("https://" + addr + "/")
	f := Explain(err, addr)
	if f == nil || !strings.Contains(f.Error(), addr+" does not answer with TLS") {
		t.Fatalf("plain port: %v (from %v)", f, err)
	}
}

func TestRootCAsErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	for _, c := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.pem"), "missing.pem"},
		{junk, "ca_file " + junk + " holds no PEM certificate"},
	} {
		_, err := RootCAs(c.file)
		if adapters.CodeOf(err) != adapters.CodeInvalidConfig || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RootCAs(%s) = %v, want InvalidConfig naming %q", c.file, err, c.want)
		}
	}
	if pool, err := RootCAs(""); pool != nil || err != nil {
		t.Errorf("RootCAs(\"\") = %v, %v; want the system roots (nil)", pool, err)
	}
}

func TestOtherErrorsAreLeftAlone(t *testing.T) {
	if f := Explain(fmt.Errorf("HTTP 500"), "h:1"); f != nil {
		t.Errorf("Explain of a non-network error = %v", f)
	}
}
