package caldav

import (
	"net/http"
	"sync/atomic"
)

// requestCounter counts the HTTP requests a source sends (every
// attempt, redirect hop and retry), so that a run can log what it cost:
// the benchmark reads the count from the "caldav snapshot" log line, and
// the issue bounds a no-change resync at two requests per collection.
type requestCounter struct {
	next http.RoundTripper
	n    *atomic.Int64
}

// RoundTrip counts the request and hands it on; errors are next's.
func (c requestCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// Requests returns how many HTTP requests the source has sent so far.
func (s *Source) Requests() int64 { return s.requests.Load() }

var _ http.RoundTripper = requestCounter{}
