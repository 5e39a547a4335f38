package imap_test

import (
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// Modes of stallProxy.
const (
	relay       = iota
	mute        // accept, never send a byte (no greeting)
	greetOnly   // the greeting, then silence (login never answered)
	halfLiteral // relay until half of a FETCH literal, then silence
)

var literalStart = regexp.MustCompile(`BODY\[\] \{(\d+)\}\r\n`)

// stallProxy relays to target in the mode mode holds at each read; the
// silent modes keep the connection open without a further byte until the
// test ends.
func stallProxy(t *testing.T, target string) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	var mode atomic.Int32
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer client.Close()
				if mode.Load() == mute {
					<-done
					return
				}
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, client) }()
				if !relayDown(client, up, &mode) {
					<-done
				}
			}()
		}
	}()
	return ln.Addr().String(), &mode
}

// relayDown copies the server's bytes to the client until one side ends
// (true) or the mode says to fall silent (false).
func relayDown(client, up net.Conn, mode *atomic.Int32) bool {
	var tail []byte
	remaining := -1 // bytes of a literal still to pass before the silence
	buf := make([]byte, 32<<10)
	greeted := false
	for {
		n, err := up.Read(buf)
		if err != nil {
			return true
		}
		data := append(tail, buf[:n]...)
		tail = nil
		switch m := mode.Load(); {
		case m == greetOnly && greeted:
			return false
		case m == greetOnly:
			greeted = true
		case m == halfLiteral && remaining < 0:
			loc := literalStart.FindSubmatchIndex(data)
			if loc == nil { // hold back a marker cut in two
				if i := strings.LastIndex(string(data), "BODY["); i >= 0 {
					tail = append([]byte(nil), data[i:]...)
					data = data[:i]
				}
				break
			}
			size, _ := strconv.Atoi(string(data[loc[2]:loc[3]]))
			if _, err := client.Write(data[:loc[1]]); err != nil {
				return true
			}
			data, remaining = data[loc[1]:], size/2
			fallthrough
		case m == halfLiteral:
			if len(data) >= remaining {
				_, _ = client.Write(data[:remaining])
				return false
			}
			remaining -= len(data)
		}
		if _, err := client.Write(data); err != nil {
			return true
		}
	}
}

// stallBound is the tests' stall_timeout: short enough to keep the tests
// quick, long enough that a real server answering late on a loaded
// machine (race detector, servers of other tests) is not taken for a
// stall, which made the tests fail now and then with 300 ms.
const stallBound = time.Second

func stallOpts(t *testing.T, srv server, addr, f string) []byte {
	return withOpts(t, imaptest.Options(addr, srv.user, srv.pass, f), map[string]any{"timeout": "5s", "stall_timeout": stallBound.String()})
}

// checkStall asserts a Temporary error naming the server, within a
// generous bound (before: 30 s to 5 min, or never).
func checkStall(t *testing.T, what string, start time.Time, err error, addr string) {
	t.Helper()
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("%s: took %v against a stalled server", what, took)
	}
	var se *imap.StallError
	if err == nil || adapters.CodeOf(err) != adapters.CodeTemporary || !errors.As(err, &se) {
		t.Fatalf("%s: %v, want a Temporary StallError", what, err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("%s: error %q does not name the server %s", what, err, addr)
	}
	t.Logf("%s: %v", what, err)
}

// Info (connect, greeting, login) against a server that never greets, or
// greets and never answers the login, ends within stall_timeout.
func TestInfoAgainstStalledServerEndsInTime(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		for name, m := range map[string]int32{"no greeting": mute, "no login answer": greetOnly} {
			t.Run(name, func(t *testing.T) {
				addr, mode := stallProxy(t, srv.addr)
				mode.Store(m)
				start := time.Now()
				_, err := open(t, stallOpts(t, srv, addr, "Import Folder")).Info(ctx(t))
				checkStall(t, "Info", start, err, addr)
			})
		}
	})
}

// A server that stops in the middle of a FETCH literal ends the snapshot
// within stall_timeout with the server named; once it answers again the
// same source resumes from the last cursor and gets every new message
// once.
func TestStallMidFetchEndsInTimeAndTheNextRunResumes(t *testing.T) {
	eachServer(t, func(t *testing.T, srv server) {
		f := folder("Import Folder")
		c := srv.client(t)
		imaptest.Append(t, c, f, msg("first@x", "first", "kunde@example.org"))
		addr, mode := stallProxy(t, srv.addr)
		src := open(t, stallOpts(t, srv, addr, f))
		_, end := snap(t, src, "")
		imaptest.Append(t, c, f, msg("second@x", strings.Repeat("y", 2000), "kunde@example.org"),
			msg("third@x", "third", "kunde@example.org"))

		mode.Store(halfLiteral)
		start := time.Now()
		_, _, err := trySnap(t, src, end.Cursor)
		checkStall(t, "Snapshot", start, err, addr)

		mode.Store(relay)
		items, _ := snap(t, src, end.Cursor)
		if k := keys(items); len(items) != 2 || k["mid:second@x"] != 1 || k["mid:third@x"] != 1 {
			t.Fatalf("resumed run: %d items %v, want second and third once", len(items), k)
		}
	})
}

// A fetch whose answer keeps moving is not cut, however long it takes:
// here the proxy passes the stream slowly, in 6 pieces a third of the
// stall bound apart, twice the bound in all.
func TestSlowButMovingFetchIsNotCut(t *testing.T) {
	srv := memServer(t)
	f := folder("Import Folder")
	imaptest.Append(t, srv.client(t), f, msg("big@x", strings.Repeat("z", 24<<10), "kunde@example.org"))
	addr := trickleProxy(t, srv.addr, 4<<10, stallBound/3)
	items, _ := snap(t, open(t, stallOpts(t, srv, addr, f)), "")
	if len(items) != 1 || items[0].Key != "mid:big@x" {
		t.Fatalf("items %+v", items)
	}
}

// trickleProxy passes the server's answers chunk bytes at a time, pause
// apart.
func trickleProxy(t *testing.T, target string, chunk int, pause time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
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
			go func() { _, _ = io.Copy(up, client); up.Close() }()
			go func() {
				defer client.Close()
				buf := make([]byte, chunk)
				for {
					n, err := up.Read(buf)
					if n > 0 {
						if _, werr := client.Write(buf[:n]); werr != nil {
							return
						}
						time.Sleep(pause)
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}
