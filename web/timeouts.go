package web

import (
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"
)

// DefaultTimeouts are generous for people on slow links and short enough
// that a client trickling bytes (slowloris) or keeping idle connections
// open cannot hold the server's connections for long. Read covers the
// largest form (4 MiB); Write covers the largest page.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: time.Minute, Idle: 2 * time.Minute}

func (t Timeouts) withDefaults() Timeouts {
	if t.ReadHeader <= 0 {
		t.ReadHeader = DefaultTimeouts.ReadHeader
	}
	if t.Read <= 0 {
		t.Read = DefaultTimeouts.Read
	}
	if t.Write <= 0 {
		t.Write = DefaultTimeouts.Write
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	return t
}

// httpServer is an http.Server for h with the client's timeouts; the
// metrics listener (cmd/gwsync) uses it too.
func (s *Server) httpServer(h http.Handler) *http.Server {
	t := s.opts.Timeouts
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		WriteTimeout: t.Write, IdleTimeout: t.Idle,
		ErrorLog: s.log.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true})}
}

// extendWriteDeadline gives a long-lived response (the progress stream)
// another WriteTimeout for its next write. It is a no-op where the
// connection does not support deadlines (httptest's recorder).
func (s *Server) extendWriteDeadline(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.Timeouts.Write))
}

// warnIfPublicPlainHTTP logs a warning when the client listens beyond
// loopback without TLS: passwords and session cookies would cross the
// network in clear text.
func (s *Server) warnIfPublicPlainHTTP(addr net.Addr, tls bool) {
	if tls || isLoopback(addr) {
		return
	}
	s.log.Warn("serving plain HTTP on a non-loopback address: passwords and session cookies cross the network unencrypted; set serve.tls_cert and serve.tls_key, or put a TLS proxy in front and bind to 127.0.0.1",
		"address", addr.String())
}

// isLoopback reports whether addr is only reachable from this machine. An
// unspecified address (0.0.0.0, ::) listens on every interface, so it is not.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.Network() == "unix"
	}
	return tcp.IP.IsLoopback()
}
