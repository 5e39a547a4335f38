package davx

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

const okBody = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:href>` +
	`<d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`

// flaky answers the first fails requests with fail(w, r), the rest with a
// one-member multistatus; it counts every request.
func flaky(t *testing.T, fails int64, fail func(http.ResponseWriter, *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			fail(w, r)
			return
		}
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = w.Write([]byte(okBody))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// hang answers nothing until the client gives up. It reads the body
// first: only then does the server notice a closed connection.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func testClient(timeout time.Duration) *Client {
	return &Client{HTTP: NewHTTPClient(http.DefaultTransport, timeout), Retries: 3, Backoff: 20 * time.Millisecond}
}

func propfind(c *Client, u string) (int, error) {
	members := 0
	err := c.PropFind(context.Background(), u, "1", []string{PropETag}, func(Response) error { members++; return nil })
	return members, err
}

// 5xx and 429 are retried with a doubling wait; fewer failures than
// retries end in the real answer. (A timeout is not retried: see
// stall_test.go.)
func TestTransientFailuresAreRetriedWithBackoff(t *testing.T) {
	for name, fail := range map[string]func(http.ResponseWriter, *http.Request){
		"503": status(http.StatusServiceUnavailable), "500": status(http.StatusInternalServerError),
		"429": status(http.StatusTooManyRequests),
	} {
		t.Run(name, func(t *testing.T) {
			srv, n := flaky(t, 2, fail)
			start := time.Now()
			members, err := propfind(testClient(300*time.Millisecond), srv.URL+"/cal/")
			if err != nil || members != 1 {
				t.Fatalf("got %d members, %v; want the answer after two failures", members, err)
			}
			if got := n.Load(); got != 3 {
				t.Errorf("%d requests, want 3 (two failures, one success)", got)
			}
			if waited := time.Since(start); waited < 60*time.Millisecond {
				t.Errorf("done after %v: the backoff (20 ms, then 40 ms) was not waited", waited)
			}
		})
	}
}

// A failure that outlasts the retries is reported as Temporary, after
// exactly 1 + Retries attempts.
func TestPersistentFailureIsReportedAfterRetries(t *testing.T) {
	for name, fail := range map[string]func(http.ResponseWriter, *http.Request){
		"502": status(http.StatusBadGateway),
	} {
		t.Run(name, func(t *testing.T) {
			srv, n := flaky(t, 1000, fail)
			_, err := propfind(testClient(100*time.Millisecond), srv.URL+"/cal/")
			if adapters.CodeOf(err) != adapters.CodeTemporary {
				t.Fatalf("got %v, want Temporary", err)
			}
			if got := n.Load(); got != 4 {
				t.Errorf("%d requests, want 4 (one try and three retries)", got)
			}
		})
	}
}

// 501 (a report the server lacks) and 401 are not worth retrying.
func TestNotImplementedAndUnauthorizedAreNotRetried(t *testing.T) {
	for code, want := range map[int]adapters.Code{
		http.StatusNotImplemented: adapters.CodeUnsupported,
		http.StatusUnauthorized:   adapters.CodeUnauthorized,
	} {
		srv, n := flaky(t, 1000, status(code))
		_, err := propfind(testClient(time.Second), srv.URL+"/cal/")
		if adapters.CodeOf(err) != want || n.Load() != 1 {
			t.Errorf("%d: %v after %d requests, want %v after one", code, err, n.Load(), want)
		}
	}
}
