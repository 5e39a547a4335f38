package imap

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// StallError is a server that stopped answering: no byte for the stall
// timeout while an answer (the greeting, a TLS handshake, a command's
// response) was due. The connection is closed; the error is Temporary,
// and the next run resumes from the stored cursor.
type StallError struct {
	Server string // host:port
	After  time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("server %s stopped answering: nothing received for %v while an answer was due", e.Server, e.After)
}

func (e *StallError) Timeout() bool   { return true }
func (e *StallError) Temporary() bool { return true }

// stallConn bounds the silences of an IMAP connection. The clock runs only
// while an answer is due (from the connection's start, for the greeting,
// and from every command written until the adapter says the conversation
// is idle) and only inside Read: a Read that receives nothing for stall
// fails with a StallError and closes the connection. A long FETCH that
// keeps moving is never cut, nor is a consumer that takes its time between
// reads, nor a connection kept idle between calls.
//
// go-imap's own read deadlines (30 s per response, 5 min per literal,
// absolute) are ignored: they cut a long literal that keeps moving and
// never bound the wait for the first byte of an answer.
type stallConn struct {
	net.Conn
	server string
	stall  time.Duration

	mu  sync.Mutex
	due bool // an answer is due

	// stalled is set once the connection stalled: go-imap reports the
	// read error as text only, so the adapter's errors take it from here.
	stalled atomic.Pointer[StallError]
}

func newStallConn(c net.Conn, server string, stall time.Duration) *stallConn {
	return &stallConn{Conn: c, server: server, stall: stall, due: true}
}

func (c *stallConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.arm()
	c.mu.Unlock()
	n, err := c.Conn.Read(p)
	// Every read deadline is ours (go-imap's are ignored), so a timeout is
	// a stall, even when a command was written while this Read waited.
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		_ = c.Conn.Close() // a stalled conversation cannot go on
		se := &StallError{Server: c.server, After: c.stall}
		c.stalled.CompareAndSwap(nil, se)
		return n, se
	}
	return n, err
}

// Write sends a command (or a TLS record): its answer is due.
func (c *stallConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.due = true
	c.arm()
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// arm sets the read deadline for a Read starting now (and one already
// waiting). c.mu must be held.
func (c *stallConn) arm() {
	if c.due {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.stall))
	} else {
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
}

// idle says no answer is due: every command sent has been answered, and
// the adapter does other work (emits items) or waits for the next call.
func (c *stallConn) idle() {
	c.mu.Lock()
	c.due = false
	c.arm()
	c.mu.Unlock()
}

// stallOf returns the StallError of wire in place of err when the
// connection stalled (whatever go-imap made of the read error), else err.
func stallOf(wire *stallConn, err error) error {
	if wire != nil {
		if se := wire.stalled.Load(); se != nil {
			return se
		}
	}
	return err
}

// SetReadDeadline ignores go-imap's deadlines (see stallConn).
func (c *stallConn) SetReadDeadline(time.Time) error { return nil }

// SetDeadline keeps the write half only, for the same reason.
func (c *stallConn) SetDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(t) }
