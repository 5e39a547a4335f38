package davx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/backoff"
	"github.com/gwsync/gwsync/adapters/netx"
)

// Client sends DAV requests. Build it with its fields set; the zero
// Retries and Backoff take defaults. It is safe for concurrent use.
type Client struct {
	// HTTP does the transport. Its redirects are handled here, so
	// NewHTTPClient's CheckRedirect must be kept.
	HTTP *http.Client
	// Authorize adds credentials to every request (nil: none).
	Authorize func(*http.Request)
	// Retries is how often a 5xx, 429 or network failure is retried
	// (default 3); Backoff the first wait, doubled each time (default
	// 200 ms).
	Retries int
	Backoff time.Duration
	// Stall bounds how long a server may stay silent: the time to the
	// first byte of an answer, and the longest gap while an answer is
	// read (a long answer that keeps moving is never cut). 0: no bound.
	// A stall is a StallError, Temporary, and not retried.
	Stall time.Duration
}

// NewHTTPClient returns an http.Client that never follows redirects on
// its own: Go turns a 301/302 on PROPFIND or REPORT into a GET without the
// body, which breaks discovery. Client.Request follows them instead.
func NewHTTPClient(rt http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     rt,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

const maxRedirects = 5

// Request sends method to u with the headers and body, following up to
// five redirects with the same method and body, and retrying transient
// failures with exponential backoff. It returns the final response,
// whatever its status, except:
//   - 401: an Unauthorized error "authentication failed for <url>";
//   - 5xx (but 501, returned at once), 429 or a network error that
//     outlasts the retries: Temporary;
//   - a server that stalls (StallError) or a connect or TLS timeout:
//     Temporary at once, without retries;
//   - a redirect to another origin: InvalidConfig naming both URLs
//     (see follow).
//
// The caller closes the body of the response it gets.
func (c *Client) Request(ctx context.Context, method, u string, hdr http.Header, body []byte) (*http.Response, error) {
	retries, wait := c.Retries, c.Backoff
	if retries == 0 {
		retries = 3
	}
	if wait == 0 {
		wait = 200 * time.Millisecond
	}
	var last error
	schedule := backoff.Policy{Base: wait}
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 {
			if err := backoff.Sleep(ctx, schedule.Delay(attempt, 0)); err != nil {
				return nil, err
			}
		}
		resp, err := c.follow(ctx, method, u, hdr, body)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			var ae *adapters.Error
			if errors.As(err, &ae) {
				return nil, err
			}
			if IsStall(err) {
				return nil, adapters.Wrap(adapters.CodeTemporary, err, "")
			}
			// A refused connection or a certificate problem is said once,
			// plainly; a certificate does not get better by retrying.
			if f := netx.Explain(err, hostPortOf(u)); f != nil {
				if f.TLS {
					return nil, adapters.Wrap(adapters.CodeInvalidConfig, f, "")
				}
				last = adapters.Wrap(adapters.CodeTemporary, f, "")
				continue
			}
			last = adapters.Wrap(adapters.CodeTemporary, err, fmt.Sprintf("%s %s", method, u))
			continue
		case resp.StatusCode == http.StatusUnauthorized:
			drain(resp)
			return nil, adapters.Errorf(adapters.CodeUnauthorized, "authentication failed for %s", u)
		case resp.StatusCode == http.StatusNotImplemented:
			// A method or report the server lacks: retrying cannot help.
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			last = adapters.Errorf(adapters.CodeTemporary, "%s %s: server answered %s", method, u, resp.Status)
			drain(resp)
			continue
		}
		return resp, nil
	}
	return nil, last
}

// follow sends one request and follows redirects by hand, within the
// origin (scheme, host, port) of u only: the credentials Authorize adds
// belong to that origin, so a redirect elsewhere is refused with an error
// naming both URLs rather than followed with or without them (without
// them it would end in a confusing 401; the user configures the URL the
// server points to instead).
func (c *Client) follow(ctx context.Context, method, u string, hdr http.Header, body []byte) (*http.Response, error) {
	for hop := 0; ; hop++ {
		resp, req, err := c.send(ctx, method, u, hdr, body)
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		drain(resp)
		if loc == "" || hop >= maxRedirects {
			return nil, adapters.Errorf(adapters.CodeUnknown, "%s %s: redirect without Location or too many redirects", method, u)
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, adapters.Wrap(adapters.CodeUnknown, err, "bad redirect Location")
		}
		if !SameOrigin(req.URL, next) {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig,
				"%s %s: the server redirects to %s, another origin; credentials are only sent to %s://%s, so configure the URL it redirects to",
				method, req.URL.Redacted(), next.Redacted(), req.URL.Scheme, req.URL.Host)
		}
		u = next.String()
	}
}

// send sends one request (no redirects). With Stall set, the answer must
// begin within Stall and its body never pauses longer (stallBody).
func (c *Client) send(ctx context.Context, method, u string, hdr http.Header, body []byte) (*http.Response, *http.Request, error) {
	rctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(rctx, method, u, bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "bad URL")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if c.Authorize != nil {
		c.Authorize(req)
	}
	if c.Stall <= 0 {
		resp, err := c.HTTP.Do(req)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		resp.Body = cancelOnClose{resp.Body, cancel}
		return resp, req, nil
	}
	server := hostPort(req.URL)
	var waited atomic.Bool
	timer := time.AfterFunc(c.Stall, func() { waited.Store(true); cancel() })
	resp, err := c.HTTP.Do(req)
	if !timer.Stop() || err != nil {
		cancel()
		if resp != nil && err == nil {
			resp.Body.Close()
		}
		if waited.Load() && ctx.Err() == nil {
			return nil, nil, &StallError{Server: server, What: "no answer to " + method + " " + req.URL.Path, After: c.Stall}
		}
		return nil, nil, err
	}
	resp.Body = &stallBody{rc: resp.Body, cancel: cancel, stall: c.Stall,
		err: &StallError{Server: server, What: "the answer to " + method + " " + req.URL.Path + " stalled", After: c.Stall}}
	return resp, req, nil
}

// SameOrigin reports whether a and b share scheme, host and port (the
// scheme's default port when none is written).
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

// cancelOnClose releases a request's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Do implements go-webdav's HTTPClient, so the library's discovery calls
// get the same redirects, retries and auth errors.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	return c.Request(req.Context(), req.Method, req.URL.String(), req.Header, body)
}

// drain discards and closes a body so the connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

// StatusError turns a non-success response into an error with a code:
// 404/410 NotFound, 412 Conflict, 403 Unauthorized-free "forbidden"
// (CodeUnknown), 501 Unsupported, other 5xx Temporary. It closes the body.
func StatusError(resp *http.Response, what string) error {
	defer drain(resp)
	code := adapters.CodeUnknown
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		code = adapters.CodeNotFound
	case resp.StatusCode == http.StatusPreconditionFailed:
		code = adapters.CodeConflict
	case resp.StatusCode == http.StatusNotImplemented:
		code = adapters.CodeUnsupported
	case resp.StatusCode >= 500:
		code = adapters.CodeTemporary
	}
	return adapters.Errorf(code, "%s: server answered %s", what, resp.Status)
}

// IsTimeout reports whether err is a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Resolve makes href (as a server writes it: a path, or a full URL)
// absolute against base.
func Resolve(base *url.URL, href string) (*url.URL, error) {
	return base.Parse(href)
}

// hostPortOf is hostPort of a URL string (the string itself when it does
// not parse).
func hostPortOf(rawURL string) string {
	pu, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return hostPort(pu)
}
