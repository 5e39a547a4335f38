package imap_test

import (
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// cutProxy forwards to target; the first connection is cut after cutAfter
// bytes from the server, later ones pass whole.
func cutProxy(t *testing.T, target string, cutAfter int64) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			first := conns.Add(1) == 1
			go func() { io.Copy(up, client); up.Close() }()
			go func() {
				if first {
					io.CopyN(client, up, cutAfter)
				} else {
					io.Copy(client, up)
				}
				client.Close()
				up.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

// TestDroppedConnection: a connection cut in the middle of a fetch fails
// the snapshot (no cursor, so nothing is concluded); the next run from the
// old cursor gets every message once: no duplicate, no gap. It runs under
// -race too: readFetched contains go-imap's race on a literal cut short.
func TestDroppedConnection(t *testing.T) {
	defer imap.SetBatchSize(2)()
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("first@x", "first", "kunde@example.org"))
		_, end := snap(t, open(t, srv.opts(f)), "")
		var msgs [][]byte
		for i := 0; i < 9; i++ {
			msgs = append(msgs, msg("m"+string(rune('a'+i))+"@x", strings.Repeat("x", 300), "kunde@example.org"))
		}
		imaptest.Append(t, c, f, msgs...)

		proxied := srv
		proxied.addr = cutProxy(t, srv.addr, 2500)
		src := open(t, proxied.opts(f))
		items, _, err := trySnap(t, src, end.Cursor)
		if err == nil {
			t.Fatalf("snapshot through a cut connection succeeded with %d items", len(items))
		}
		if code := adapters.CodeOf(err); code != adapters.CodeTemporary {
			t.Errorf("cut connection: code %s (%v), want temporary", code, err)
		}
		items, _ = snap(t, src, end.Cursor)
		k := keys(items)
		if len(items) != 9 || len(k) != 9 || k["mid:first@x"] != 0 {
			t.Fatalf("resumed snapshot: %d items, keys %v; want the 9 new ones once", len(items), k)
		}
	})
}

// TestTLS: implicit TLS and STARTTLS verified against ca_file; without it
// the self-signed server is refused.
func TestTLS(t *testing.T) {
	cfg, ca := imaptest.SelfSigned(t)
	for _, mode := range []struct {
		name, scheme string
		implicit     bool
	}{{"implicit", "imaps", true}, {"starttls", "imap", false}} {
		t.Run(mode.name, func(t *testing.T) {
			m := imaptest.StartMem(t, imaptest.MemOptions{TLS: cfg, Implicit: mode.implicit})
			imaptest.Append(t, dialTLS(t, m, mode.implicit, ca), "Import Folder", msg("tls@x", "TLS", "kunde@example.org"))
			opts := func(extra map[string]any) []byte {
				base := map[string]any{"url": mode.scheme + "://" + m.Addr, "username": m.Username, "password": m.Password}
				return withOpts(t, mustJSON(t, base), extra)
			}
			items, _ := snap(t, open(t, opts(map[string]any{"ca_file": ca})), "")
			if len(items) != 1 || items[0].Key != "mid:tls@x" {
				t.Fatalf("items %+v", items)
			}
			_, err := open(t, opts(nil)).Info(ctx(t))
			if err == nil || !strings.Contains(err.Error(), "the TLS certificate of "+m.Addr+" is signed by an unknown authority") ||
				!strings.Contains(err.Error(), "ca_file") || adapters.CodeOf(err) != adapters.CodeInvalidConfig {
				t.Fatalf("unverified certificate accepted, or not explained: %v", err)
			}
		})
	}
}

// TestDovecotImaps: implicit TLS against Dovecot's imaps listener.
func TestDovecotImaps(t *testing.T) {
	srv := dovecotServer(t)
	addr, ca := testVar(t, "DOVECOT_IMAPS_ADDR"), testVar(t, "DOVECOT_CA_FILE")
	f := folder("Import Folder")
	imaptest.Append(t, srv.client(t), f, msg("imaps@x", "imaps", "kunde@example.org"))
	opts := mustJSON(t, map[string]any{"url": "imaps://" + addr, "username": srv.user, "password": srv.pass, "folder": f, "ca_file": ca})
	items, _ := snap(t, open(t, opts), "")
	if len(items) != 1 || items[0].Key != "mid:imaps@x" {
		t.Fatalf("items %+v", items)
	}
}

// A refused connection is said once, plainly.
func TestRefusedConnectionSaidOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = open(t, mustJSON(t, map[string]any{"url": "imap://" + addr, "username": "u", "password": "p"})).Info(ctx(t))
	want := "imap://" + addr + ": cannot connect to " + addr + ": connection refused"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), addr) != 2 {
		t.Fatalf("got %v\nwant it to start with %q", err, want)
	}
}

// A source without a secret is a valid config (the CLI and the web client
// ask for the password); unasked, it fails naming what is missing.
func TestMissingPasswordIsAskedNotRefused(t *testing.T) {
	_, err := open(t, mustJSON(t, map[string]any{"url": "imap://127.0.0.1:1", "username": "sam"})).Info(ctx(t))
	if adapters.CodeOf(err) != adapters.CodeUnauthorized || !strings.Contains(err.Error(), "user sam needs a password (password, password_file or oauth_token)") {
		t.Fatalf("got %v", err)
	}
}
