package xchg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/backoff"
	"github.com/gwsync/gwsync/adapters/netx"
)

// Response is a whole HTTP response, read and closed.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// maxResponseBytes bounds what one response may hold, so a broken server
// cannot exhaust memory. Delta pages and SOAP batches are far smaller.
const maxResponseBytes = 64 << 20

// Retry is the bounded retry policy both APIs use. Throttling (429, 503
// with Retry-After, EWS ErrorServerBusy) waits as long as the server asks,
// capped at MaxWait; other 5xx and network errors back off exponentially
// from BaseDelay. After Attempts tries the last failure is returned as
// Temporary, so the engine retries on its next run rather than looping here.
type Retry struct {
	Attempts  int
	BaseDelay time.Duration
	MaxWait   time.Duration
}

// DefaultRetry is what the adapter uses outside tests.
var DefaultRetry = Retry{Attempts: 5, BaseDelay: 500 * time.Millisecond, MaxWait: 2 * time.Minute}

// Wait says how long to wait before retrying a response, or retry=false
// when the response is final. Callers pass one to Do to add protocol
// knowledge (EWS's BackOffMilliseconds).
type Wait func(r Response) (d time.Duration, retry bool)

// StatusWait is the HTTP-level rule: 429 and 503 honour Retry-After (seconds
// or an HTTP date), other 5xx back off, everything else is final.
func StatusWait(r Response) (time.Duration, bool) {
	switch {
	case r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable:
		return RetryAfter(r.Header), true
	case r.Status >= 500:
		return 0, true
	}
	return 0, false
}

// RetryAfter reads a Retry-After header; 0 when absent or unreadable.
func RetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// Do sends the request newReq builds (once per attempt, so bodies are
// fresh) and returns the first final response, whatever its status: the
// caller maps statuses to codes. Errors: the context's error when it ends;
// Temporary when every attempt failed on the network or was throttled.
func (p Retry) Do(ctx context.Context, client *http.Client, newReq func(context.Context) (*http.Request, error), wait Wait) (Response, error) {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	if wait == nil {
		wait = StatusWait
	}
	var last error
	for attempt := 0; attempt < p.Attempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		req, err := newReq(ctx)
		if err != nil {
			return Response{}, err
		}
		resp, err := client.Do(req)
		var delay time.Duration
		if err != nil {
			if ctx.Err() != nil {
				return Response{}, ctx.Err()
			}
			var refused *adapters.Error // a redirect refused: asking again cannot help
			if errors.As(err, &refused) {
				return Response{}, err
			}
			// Refused, no such host, a certificate problem: said once,
			// plainly; a certificate does not get better by retrying.
			if f := netx.Explain(err, hostPort(req.URL)); f != nil {
				if f.TLS {
					return Response{}, adapters.Wrap(adapters.CodeInvalidConfig, f, "")
				}
				err = f
			}
			last = err
		} else {
			r, rerr := read(resp)
			if rerr != nil {
				last = rerr
			} else {
				d, retry := wait(r)
				if !retry {
					return r, nil
				}
				last = fmt.Errorf("HTTP %d %s", r.Status, snippet(r.Body))
				delay = d
			}
		}
		if attempt == p.Attempts-1 {
			break
		}
		delay = backoff.Policy{Base: p.BaseDelay, Max: p.MaxWait}.Delay(attempt+1, delay)
		if err := backoff.Sleep(ctx, delay); err != nil {
			return Response{}, err
		}
	}
	return Response{}, adapters.Wrap(adapters.CodeTemporary, last, fmt.Sprintf("gave up after %d attempts", p.Attempts))
}

func read(resp *http.Response) (Response, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return Response{}, err
	}
	if len(body) > maxResponseBytes {
		return Response{}, errors.New("response larger than 64 MiB")
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// snippet is the start of a body for an error message.
func snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		b = append(b[:300:300], "…"...)
	}
	return string(b)
}

// Snippet is snippet for callers that build their own messages.
func Snippet(b []byte) string { return snippet(b) }

// hostPort names a URL's server as HOST:PORT, with the scheme's default
// port when the URL has none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return net.JoinHostPort(u.Hostname(), "443")
}
