package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// literal is an in-memory message for imapmemserver's Append.
type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// memServer serves users user00001..userNNNNN on 127.0.0.1, user i with
// i messages in "Import Folder"; a user in bad gets another password.
func memServer(t *testing.T, n int, bad map[int]bool) string {
	t.Helper()
	mem := imapmemserver.New()
	for i := 1; i <= n; i++ {
		pass := "secret"
		if bad[i] {
			pass = "other"
		}
		u := imapmemserver.NewUser(userName(i), pass)
		if err := u.Create("Import Folder", nil); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < i; k++ {
			msg := fmt.Sprintf("Message-ID: <%d.%d@example.com>\r\nSubject: %d\r\n\r\n%s\r\n", i, k, k, strings.Repeat("x", 10*k))
			if _, err := u.Append("Import Folder", literal{bytes.NewReader([]byte(msg))}, &imap.AppendOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		mem.AddUser(u)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestFloorReadsEveryUser checks that a fetch pass reads every message
// of every user whole, and a select pass none.
func TestFloorReadsEveryUser(t *testing.T) {
	addr := memServer(t, 6, nil)
	var wantBytes int64
	for i := 1; i <= 6; i++ {
		for k := 0; k < i; k++ {
			wantBytes += int64(len(fmt.Sprintf("Message-ID: <%d.%d@example.com>\r\nSubject: %d\r\n\r\n%s\r\n", i, k, k, strings.Repeat("x", 10*k))))
		}
	}
	got, err := Floor{Addr: addr, Password: "secret", Folder: "Import Folder", Fetch: true}.Run(context.Background(), 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got.Messages != 21 || got.Bytes != wantBytes {
		t.Errorf("fetch pass read %+v, want 21 messages, %d bytes", got, wantBytes)
	}
	got, err = Floor{Addr: addr, Password: "secret", Folder: "Import Folder"}.Run(context.Background(), 6, 3)
	if err != nil || got != (Totals{}) {
		t.Errorf("select pass = %+v, %v; want nothing read, no error", got, err)
	}
}

// TestFloorNamesTheFailingUser checks that a refused login stops the pass
// with an error naming the user and the command.
func TestFloorNamesTheFailingUser(t *testing.T) {
	addr := memServer(t, 4, map[int]bool{3: true})
	_, err := Floor{Addr: addr, Password: "secret", Folder: "Import Folder", Fetch: true}.Run(context.Background(), 4, 2)
	if err == nil || !strings.Contains(err.Error(), "user00003: LOGIN") {
		t.Fatalf("err = %v, want one naming user00003 and LOGIN", err)
	}
	_, err = Floor{Addr: addr, Password: "secret", Folder: "Elsewhere"}.Run(context.Background(), 1, 1)
	if err == nil || !strings.Contains(err.Error(), `user00001: SELECT "Elsewhere"`) {
		t.Fatalf("err = %v, want one naming user00001 and the SELECT", err)
	}
}
