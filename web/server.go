package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/internal/secretbox"
)

// Server is the web client. Build it with New, mount Handler, or let Serve
// run it with the scheduler and a graceful shutdown.
type Server struct {
	opts     Options
	users    map[string]User
	sessions *sessions
	store    SessionStore
	keys     Keyring
	// signer signs the login form's CSRF token, devices the known-device
	// cookie: each with a key of its own purpose.
	signer  *signer
	devices *signer
	// replica names this process in the store's wizard marks.
	replica string
	// checkPassword is bcryptPassword; tests count its calls.
	checkPassword func(hash, password string) bool
	pages         *pages
	metrics       *metrics
	locks         userLocks
	sched         schedule
	log           hclog.Logger

	// runCtx is the context of every sync; it is cancelled when a
	// shutdown's grace period is over.
	runCtx    context.Context
	cancelRun context.CancelFunc
	runs      sync.WaitGroup
	runGate   sync.Mutex // orders beginRun against Shutdown's Wait
	// closing is closed when shutdown begins; event streams end on it.
	closing   chan struct{}
	closeOnce sync.Once
	// planningWait is how long submitting the areas waits for the plan
	// before showing its progress page; 0 is defaultPlanningWait.
	planningWait time.Duration
}

// New checks opts and builds the server; it starts nothing. Errors: no
// users, a user twice, no OpenJob, CRM or State, a shared session store
// without Keys.
func New(opts Options) (*Server, error) {
	if opts.OpenJob == nil || opts.CRM == nil || opts.State == nil {
		return nil, errors.New("web: OpenJob, CRM and State are required")
	}
	if opts.Sessions != nil && opts.Sessions.Shared() && opts.Keys == nil {
		return nil, errors.New("web: a shared session store needs Keys (serve.secret_key_file): typed passwords are sealed with them, and every replica must sign alike")
	}
	if opts.Sessions == nil {
		opts.Sessions = NewMemoryStore(opts.MaxSessions)
	}
	if opts.Keys == nil {
		opts.Keys = secretbox.NewRandomKeyring()
	}
	if len(opts.Users) == 0 {
		return nil, errors.New("web: no users")
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 10 * time.Second
	}
	opts.Timeouts = opts.Timeouts.withDefaults()
	if opts.JobPoll <= 0 {
		opts.JobPoll = 500 * time.Millisecond
	}
	replica := randomToken()[:12]
	s := &Server{opts: opts, users: map[string]User{}, store: opts.Sessions, keys: opts.Keys, replica: replica,
		sessions: newSessions(opts.Sessions, replica, opts.SecureCookies, opts.MaxSessions),
		signer:   newSigner(opts.Keys.Key(purposeLogin)), devices: newSigner(opts.Keys.Key(purposeDevice)),
		checkPassword: bcryptPassword, metrics: newMetrics(), log: opts.Logger, closing: make(chan struct{})}
	for _, u := range opts.Users {
		if _, dup := s.users[u.Name]; dup {
			return nil, fmt.Errorf("web: user %q twice", u.Name)
		}
		s.users[u.Name] = u
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.runCtx, s.cancelRun = context.WithCancel(context.Background())
	return s, nil
}

// Handler returns the client's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /healthz", s.healthz)
	if !s.opts.MetricsElsewhere {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("GET "+pprofPath, s.PprofHandler())
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET "+credentialsPath, s.authed(s.credentials))
	mux.HandleFunc("POST "+credentialsPath, s.authed(s.saveCredentials))
	mux.HandleFunc("GET /{$}", s.authed(s.home))
	if s.opts.Preferences != nil {
		mux.HandleFunc("GET "+preferencesPath, s.authed(s.preferences))
		mux.HandleFunc("POST "+preferencesPath, s.authed(s.savePreferences))
	}
	mux.HandleFunc("GET /sync", s.authed(s.wizardCurrent))
	mux.HandleFunc("POST /sync/restart", s.authed(s.wizardRestart))
	mux.HandleFunc("GET /sync/events", s.authed(s.runEvents))
	mux.HandleFunc("GET "+planningPath, s.authed(s.planningPage))
	mux.HandleFunc("GET "+planningPath+"/events", s.authed(s.planningEvents))
	mux.HandleFunc("POST "+planningPath+"/cancel", s.authed(s.planningCancel))
	mux.HandleFunc("GET /sync/{step}", s.authed(s.wizardStep))
	mux.HandleFunc("POST /sync/{step}", s.authed(s.wizardSubmit))
	mux.HandleFunc("GET /activities", s.authed(s.activities))
	mux.HandleFunc("GET /status", s.authed(s.status))
	return securityHeaders(mux)
}

// securityHeaders forbids framing and any script or style not served by
// this server.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.runCtx.Err(); err != nil {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// Serve answers on ln (TLS when certFile and keyFile are set) and runs the
// scheduler until ctx is cancelled, then shuts down gracefully: no new
// requests, event streams end, a running sync gets ShutdownGrace to finish
// and is then cancelled (the engine stops between two batches and closes
// its run journal), and every source a wizard started is closed. It
// returns nil after a clean shutdown, or the listener's error.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	s.warnIfPublicPlainHTTP(ln.Addr(), certFile != "")
	hs := s.httpServer(s.Handler())
	schedDone := make(chan struct{})
	schedCtx, stopSched := context.WithCancel(s.runCtx)
	go func() { defer close(schedDone); s.runScheduler(schedCtx) }()

	errc := make(chan error, 1)
	go func() {
		var err error
		if certFile != "" {
			err = hs.ServeTLS(ln, certFile, keyFile)
		} else {
			err = hs.Serve(ln)
		}
		errc <- err
	}()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("shutting down")
	stopSched()
	s.Shutdown()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	<-schedDone
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// Shutdown ends event streams, waits up to ShutdownGrace for running syncs,
// then cancels them and waits for them to stop, and closes every wizard's
// sources. It is safe to call more than once.
func (s *Server) Shutdown() {
	s.runGate.Lock()
	s.closeOnce.Do(func() { close(s.closing) })
	s.runGate.Unlock()
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.opts.ShutdownGrace):
		s.log.Warn("cancelling running syncs", "grace", s.opts.ShutdownGrace)
		s.cancelRun()
		<-done
	}
	s.cancelRun()
	s.sessions.closeAll()
}
