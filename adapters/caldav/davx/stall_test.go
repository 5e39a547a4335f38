package davx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// silentListener accepts connections and, after sending prefix (nothing,
// or the start of an answer), never writes again. It counts connections.
func silentListener(t *testing.T, prefix string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_, _ = c.Read(buf) // the request (its start is enough)
				_, _ = c.Write([]byte(prefix))
				<-done
			}()
		}
	}()
	return ln.Addr().String(), &n
}

// halfMultistatus is the headers and the first half of a multistatus.
const halfMultistatus = "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 4000\r\n\r\n" +
	`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:href>` +
	`<d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response>`

// A server that accepts and never answers, or stops in the middle of an
// answer, fails the request within Stall with a StallError that names
// host:port and what stalled; it is Temporary and asked only once.
func TestStalledServerEndsWithinStall(t *testing.T) {
	for name, prefix := range map[string]string{"silent": "", "half multistatus": halfMultistatus} {
		t.Run(name, func(t *testing.T) {
			addr, conns := silentListener(t, prefix)
			c := &Client{HTTP: NewHTTPClient(http.DefaultTransport, 0), Retries: 3, Backoff: 20 * time.Millisecond, Stall: 300 * time.Millisecond}
			start := time.Now()
			_, err := propfind(c, "http://"+addr+"/cal/")
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("took %v against a stalled server", took)
			}
			var se *StallError
			if !errors.As(err, &se) || adapters.CodeOf(err) != adapters.CodeTemporary {
				t.Fatalf("got %v, want a Temporary StallError", err)
			}
			if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "PROPFIND /cal/") {
				t.Errorf("error %q names neither the server %s nor the request", err, addr)
			}
			if got := conns.Load(); got != 1 {
				t.Errorf("%d connections: a stall must not be retried", got)
			}
		})
	}
}

// An answer that keeps moving is never cut, however long it takes: here
// 1.2 s in pieces 100 ms apart, with a 300 ms stall bound.
func TestSlowButMovingAnswerIsNotCut(t *testing.T) {
	srv, _ := flaky(t, 1, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = w.Write([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">`))
		for i := 0; i < 12; i++ {
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
			_, _ = w.Write([]byte(`<d:response><d:href>/cal/` + string(rune('a'+i)) + `.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`))
		}
		_, _ = w.Write([]byte(`</d:multistatus>`))
	})
	c := &Client{HTTP: NewHTTPClient(http.DefaultTransport, 0), Stall: 300 * time.Millisecond}
	members, err := propfind(c, srv.URL+"/cal/")
	if err != nil || members != 12 {
		t.Fatalf("%d members, %v; want 12", members, err)
	}
}

// A caller that pauses between reads (parsing, emitting) is not taken
// for a stalled server: the clock runs only while a read waits.
func TestSlowReaderIsNotAStall(t *testing.T) {
	srv, _ := flaky(t, 0, nil)
	c := &Client{HTTP: NewHTTPClient(http.DefaultTransport, 0), Stall: 100 * time.Millisecond}
	resp, err := c.Request(context.Background(), "PROPFIND", srv.URL+"/cal/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	time.Sleep(300 * time.Millisecond)
	n := 0
	if _, err := DecodeMultistatus(resp.Body, func(Response) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("%d members, %v", n, err)
	}
}
