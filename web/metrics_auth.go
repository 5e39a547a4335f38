package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsHandler serves /metrics, asking for Options.MetricsToken as a
// bearer token when one is set. The figures say who runs syncs and how
// often; they are not for anyone who can reach the port.
func (s *Server) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	if s.opts.MetricsToken == "" {
		return h
	}
	want := []byte(s.opts.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gwsync metrics"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ServeMetrics serves MetricsHandler (and PprofHandler) on ln (plain HTTP, with the
// client's timeouts) until the returned stop function is called.
func (s *Server) ServeMetrics(ln net.Listener) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.MetricsHandler())
	mux.Handle("GET "+pprofPath, s.PprofHandler()) // by the token only: no sessions here
	hs := s.httpServer(mux)
	go hs.Serve(ln)
	return func() { hs.Close() }
}
