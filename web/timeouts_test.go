package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine"
	"github.com/hashicorp/go-hclog"
)

// shortTimeouts cut a slow client off quickly.
var shortTimeouts = Timeouts{ReadHeader: 300 * time.Millisecond, Read: 300 * time.Millisecond,
	Write: 300 * time.Millisecond, Idle: 300 * time.Millisecond}

// trickle sends msg one byte every 50ms and reports when the server cut
// the connection, or fails the test when it did not within 10s.
func trickle(t *testing.T, addr, msg string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, conn); close(closed) }()
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("a client trickling one byte every 50ms was not cut off within 10s")
		}
		if _, err := conn.Write([]byte{msg[i%len(msg)]}); err != nil {
			return
		}
	}
}

func TestSlowClientsAreCutOff(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, func(o *Options) { o.Timeouts = shortTimeouts })
	addr := f.http.Listener.Addr().String()
	t.Run("headers", func(t *testing.T) {
		trickle(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "+strings.Repeat("a", 1000))
	})
	t.Run("body", func(t *testing.T) {
		trickle(t, addr, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("user=a&", 100))
	})
	t.Run("idle", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("an idle keep-alive connection: %v, want it closed by the server", err)
		}
	})
}

// gatedSink holds every Upsert until gate is closed: a run that lasts.
type gatedSink struct {
	adapters.Sink
	gate chan struct{}
}

func (g gatedSink) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Sink.Upsert(ctx, acts)
}

func TestProgressStreamOutlivesTheWriteTimeout(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, []User{sam(t)}, func(o *Options) {
		o.Timeouts = shortTimeouts
		open := o.OpenJob
		o.OpenJob = func(ctx context.Context, user string, secrets map[string]string) (*engine.Job, func(), error) {
			job, release, err := open(ctx, user, secrets)
			if job != nil {
				job.CRM = gatedSink{Sink: job.CRM, gate: gate}
			}
			return job, release, err
		}
	})
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	c := f.client()
	c.mustLogin("sam")
	c.form("/sync/areas", url.Values{"area": {"emails"}})
	c.form("/sync/emails", url.Values{"nav": {"next"}, "sel": {c.candidates("/sync/emails")["Purchase order 2027-0042"]}})
	if _, loc, _ := c.form("/sync/execute", url.Values{"nav": {"run"}}); loc != "/sync/run" {
		t.Fatalf("execute: %q", loc)
	}
	resp, err := c.http.Get(f.http.URL + "/sync/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || line != "event: progress\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	time.Sleep(3 * shortTimeouts.Write) // the stream outlives the server's write timeout
	close(gate)
	rest, err := io.ReadAll(r)
	if !strings.Contains(string(rest), "event: done") {
		t.Errorf("the stream ended without its done event (%v):\n%s", err, rest)
	}
}

func TestMetricsAskForTheToken(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, func(o *Options) { o.MetricsToken = "s3cret-metrics" })
	get := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic czNjcmV0LW1ldHJpY3M=": 401, "Bearer s3cret-metrics": 200} {
		if got := get(auth); got != want {
			t.Errorf("/metrics with %q: %d, want %d", auth, got, want)
		}
	}
}

func TestMetricsOnAnAddressOfTheirOwn(t *testing.T) {
	f := newFixture(t, []User{sam(t)}, func(o *Options) { o.MetricsElsewhere = true })
	if resp, err := http.Get(f.http.URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the client's address: %v %v, want 404", resp.StatusCode, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := f.srv.ServeMetrics(ln)
	defer stop()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "gwsync_runs_in_progress") {
		t.Errorf("the metrics address answers %d:\n%.300s", resp.StatusCode, body)
	}
}

// publicListener is a loopback listener that says it listens everywhere,
// so the warning can be tested without opening a port to the network.
type publicListener struct{ net.Listener }

func (publicListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: 8080} }

func TestPlainHTTPBeyondLoopbackIsWarnedAbout(t *testing.T) {
	for _, tc := range []struct {
		name string
		ln   func(net.Listener) net.Listener
		warn bool
	}{{"loopback", func(l net.Listener) net.Listener { return l }, false}, {"public", func(l net.Listener) net.Listener { return publicListener{l} }, true}} {
		var logs strings.Builder
		logger := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Warn})
		f := newFixture(t, []User{sam(t)}, func(o *Options) { o.Logger = logger })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- f.srv.Serve(ctx, tc.ln(ln), "", "") }()
		cancel()
		<-done
		if got := strings.Contains(logs.String(), "plain HTTP on a non-loopback address"); got != tc.warn {
			t.Errorf("%s: warned=%v, want %v:\n%s", tc.name, got, tc.warn, logs.String())
		}
	}
}
