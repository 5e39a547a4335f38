package davx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync/atomic"
	"time"
)

// StallError is a server that stopped answering: no first byte of an
// answer within the time allowed, or no byte for that long while an
// answer was being read. It is not retried in the same run: a server that
// does not answer would hold the run for every retry, and the next run
// resumes from the stored cursor anyway.
type StallError struct {
	Server string // host:port
	What   string // "no answer to PROPFIND /cal/", "answer to REPORT /cal/ stalled"
	After  time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("server %s: %s (nothing received for %v)", e.Server, e.What, e.After)
}

// Timeout makes a StallError a net.Error timeout for IsTimeout.
func (e *StallError) Timeout() bool   { return true }
func (e *StallError) Temporary() bool { return true }

// IsStall reports whether err is a server that stopped answering: a
// StallError or a network timeout (connect, TLS handshake).
func IsStall(err error) bool {
	var se *StallError
	return errors.As(err, &se) || IsTimeout(err)
}

// hostPort names a URL's server as host:port, with the scheme's default
// port when the URL has none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return u.Host + ":443"
	}
	return u.Host + ":80"
}

// stallBody bounds the silence while an answer is read: every Read that
// receives nothing for stall cancels the request. The clock runs only
// inside Read, so a caller that takes its time between reads (parsing,
// emitting) is never cut, and a long answer that keeps moving neither.
type stallBody struct {
	rc      io.ReadCloser
	cancel  context.CancelFunc
	stall   time.Duration
	err     *StallError
	stalled atomic.Bool
}

func (b *stallBody) Read(p []byte) (int, error) {
	t := time.AfterFunc(b.stall, func() { b.stalled.Store(true); b.cancel() })
	n, err := b.rc.Read(p)
	t.Stop()
	if err != nil && err != io.EOF && b.stalled.Load() {
		return n, b.err
	}
	return n, err
}

func (b *stallBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}
