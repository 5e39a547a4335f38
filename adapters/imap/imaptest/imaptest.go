// Package imaptest helps test the imap adapter: an in-memory IMAP server on
// 127.0.0.1 (go-imap's imapmemserver) and client helpers that seed any
// server (the in-memory one or a real Dovecot) over IMAP.
package imaptest

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Mem is a running in-memory IMAP server.
type Mem struct {
	Addr     string // host:port on 127.0.0.1
	Username string
	Password string
	User     *imapmemserver.User
}

// MemOptions configure StartMem. With TLS set the server offers STARTTLS,
// or, with Implicit, speaks TLS from the first byte. NoMove leaves MOVE out
// of the capabilities, as an old server would.
type MemOptions struct {
	TLS      *tls.Config
	Implicit bool
	NoMove   bool
}

// StartMem starts an in-memory server with one user (alice/secret), stopped
// when t ends. It advertises IMAP4rev1, MOVE (unless NoMove) and UIDPLUS,
// and no CONDSTORE (imapmemserver lacks it).
func StartMem(t testing.TB, o MemOptions) *Mem {
	t.Helper()
	mem := imapmemserver.New()
	m := &Mem{Username: "alice", Password: "secret"}
	m.User = imapmemserver.NewUser(m.Username, m.Password)
	mem.AddUser(m.User)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	if o.NoMove {
		delete(caps, imap.CapMove)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		TLSConfig:    tlsIfStartTLS(o),
		Logger:       nopLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Implicit {
		ln = tls.NewListener(ln, o.TLS)
	}
	m.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func tlsIfStartTLS(o MemOptions) *tls.Config {
	if o.Implicit {
		return nil
	}
	return o.TLS
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// Options returns adapter options for a plaintext server at addr.
func Options(addr, user, password string, folders ...string) json.RawMessage {
	m := map[string]any{"url": "imap://" + addr, "tls": "none", "username": user, "password": password}
	if len(folders) == 1 {
		m["folder"] = folders[0]
	} else if len(folders) > 1 {
		m["folders"] = folders
	}
	b, _ := json.Marshal(m)
	return b
}

// Dial logs in to a plaintext server; the client is logged out when t
// ends.
func Dial(t testing.TB, addr, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	t.Cleanup(func() { _ = c.Logout().Wait(); c.Close() })
	return c
}

// Create creates a folder; one that exists already is fine.
func Create(t testing.TB, c *imapclient.Client, folder string) {
	t.Helper()
	err := c.Create(folder, nil).Wait()
	var ie *imap.Error
	if err != nil && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
		t.Fatalf("CREATE %q: %v", folder, err)
	}
}

// Recreate deletes a folder and creates it again, which gives it a new
// UIDVALIDITY.
func Recreate(t testing.TB, c *imapclient.Client, folder string) {
	t.Helper()
	if err := c.Delete(folder).Wait(); err != nil {
		t.Fatalf("DELETE %q: %v", folder, err)
	}
	Create(t, c, folder)
}

// Append stores messages in a folder, creating it first, and returns
// their UIDs where the server reports them (UIDPLUS).
func Append(t testing.TB, c *imapclient.Client, folder string, msgs ...[]byte) []imap.UID {
	t.Helper()
	Create(t, c, folder)
	var uids []imap.UID
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			t.Fatalf("APPEND: %v", err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("APPEND: %v", err)
		}
		data, err := cmd.Wait()
		if err != nil {
			t.Fatalf("APPEND to %q: %v", folder, err)
		}
		uids = append(uids, data.UID)
	}
	return uids
}

// Flags returns the flags of the message with that UID.
func Flags(t testing.TB, c *imapclient.Client, folder string, uid imap.UID) []imap.Flag {
	t.Helper()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("EXAMINE %q: %v", folder, err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH FLAGS of %d in %q: %v (%d messages)", uid, folder, err, len(msgs))
	}
	return msgs[0].Flags
}

// Count returns how many messages a folder holds.
func Count(t testing.TB, c *imapclient.Client, folder string) uint32 {
	t.Helper()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("STATUS %q: %v", folder, err)
	}
	return *st.NumMessages
}
