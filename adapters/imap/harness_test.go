package imap_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/internal/testenv"
)

// server is an IMAP server a test runs against: the in-memory one or the
// Dovecot that scripts/servers/dovecot.sh started.
type server struct {
	name, addr, user, pass string
}

func memServer(t *testing.T) server {
	m := imaptest.StartMem(t, imaptest.MemOptions{})
	return server{name: "mem", addr: m.Addr, user: m.Username, pass: m.Password}
}

func dovecotServer(t testing.TB) server {
	return server{name: "dovecot", addr: testenv.Var(t, "DOVECOT_ADDR"),
		user: testenv.Var(t, "DOVECOT_USER"), pass: testenv.Var(t, "DOVECOT_PASSWORD")}
}

// eachServer runs f against a fresh in-memory server and against Dovecot.
func eachServer(t *testing.T, f func(t *testing.T, srv server)) {
	t.Run("mem", func(t *testing.T) { f(t, memServer(t)) })
	t.Run("dovecot", func(t *testing.T) { f(t, dovecotServer(t)) })
}

var folderSeq atomic.Int64

// folder returns a folder name no other test (or earlier run against the
// same Dovecot) uses.
func folder(base string) string {
	return fmt.Sprintf("%s %d-%d", base, time.Now().UnixNano()%1e9, folderSeq.Add(1))
}

func (s server) client(t *testing.T) *imapclient.Client {
	return imaptest.Dial(t, s.addr, s.user, s.pass)
}

func (s server) opts(folders ...string) json.RawMessage {
	return imaptest.Options(s.addr, s.user, s.pass, folders...)
}

// withOpts adds keys to an options object.
func withOpts(t *testing.T, base json.RawMessage, extra map[string]any) json.RawMessage {
	m := map[string]any{}
	if err := json.Unmarshal(base, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func open(t *testing.T, opts json.RawMessage) *imap.Source {
	t.Helper()
	src, err := imap.New(adapters.Config{Name: "mail", Options: opts, Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// snap takes a snapshot and fails the test on error.
func snap(t *testing.T, src adapters.Source, cursor string) ([]adapters.Item, adapters.SnapshotEnd) {
	t.Helper()
	items, end, err := trySnap(t, src, cursor)
	if err != nil {
		t.Fatalf("Snapshot(cursor %q): %v", cursor, err)
	}
	return items, end
}

func trySnap(t *testing.T, src adapters.Source, cursor string) ([]adapters.Item, adapters.SnapshotEnd, error) {
	var items []adapters.Item
	end, err := src.Snapshot(ctx(t), adapters.SnapshotRequest{Cursor: cursor}, func(it adapters.Item) error {
		items = append(items, it)
		return nil
	})
	if err == nil && end.Count != int64(len(items)) {
		t.Errorf("SnapshotEnd.Count %d, emitted %d", end.Count, len(items))
	}
	return items, end, err
}

// msg renders a simple message.
func msg(id, subject, from string, to ...string) []byte {
	h := ""
	if id != "" {
		h = "Message-ID: <" + id + ">\r\n"
	}
	tos := "nobody@example.com"
	if len(to) > 0 {
		tos = to[0]
		for _, a := range to[1:] {
			tos += ", " + a
		}
	}
	return []byte(h + "Date: Tue, 12 Jan 2027 09:15:00 +0100\r\nFrom: " + from + "\r\nTo: " + tos +
		"\r\nSubject: " + subject + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody of " + subject + "\r\n")
}

func keys(items []adapters.Item) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[it.Key]++
	}
	return m
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testVar(t *testing.T, name string) string { return testenv.Var(t, name) }

// dialTLS logs in to a TLS in-memory server trusting ca.
func dialTLS(t *testing.T, m *imaptest.Mem, implicit bool, ca string) *imapclient.Client {
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	o := &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	var c *imapclient.Client
	if implicit {
		c, err = imapclient.DialTLS(m.Addr, o)
	} else {
		c, err = imapclient.DialStartTLS(m.Addr, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(m.Username, m.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
