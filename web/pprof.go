package web

import (
	"crypto/subtle"
	"net/http"
	"net/http/pprof"
	"strings"
)

// pprofPath is where the Go runtime's profiles are served.
const pprofPath = "/debug/pprof/"

// PprofHandler serves the Go runtime's profiles (net/http/pprof) to an
// admin's session (a user with `admin: true`) or to a request carrying the
// metrics bearer token, so whoever may read /metrics may also see where
// the time goes. Anyone else gets 403 and learns nothing: a profile shows
// function names, goroutine stacks and, in the heap, sizes of users' data.
func (s *Server) PprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(pprofPath, pprof.Index) // the named profiles: heap, goroutine, allocs, block, mutex
	mux.HandleFunc(pprofPath+"cmdline", pprof.Cmdline)
	mux.HandleFunc(pprofPath+"profile", pprof.Profile)
	mux.HandleFunc(pprofPath+"symbol", pprof.Symbol)
	mux.HandleFunc(pprofPath+"trace", pprof.Trace)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed, err := s.mayProfile(r)
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		if !allowed {
			if s.opts.MetricsToken != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="gwsync metrics"`)
			}
			http.Error(w, "profiles need an admin's session or the metrics token", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// mayProfile: the metrics token (when one is set) as a bearer token, or
// the session of a user the config marks admin.
func (s *Server) mayProfile(r *http.Request) (bool, error) {
	if s.opts.MetricsToken != "" {
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.MetricsToken)) == 1, nil
		}
	}
	sess, err := s.sessions.get(r)
	if err != nil || sess == nil || sess.user == "" {
		return false, err
	}
	return s.users[sess.user].Admin, nil
}
