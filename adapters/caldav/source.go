package caldav

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

func init() {
	adapters.Register(adapters.Registration{
		Name:        "caldav",
		Description: "CalDAV server: events and tasks, time write-back, export (Radicale, Xandikos, Nextcloud …)",
		Options:     optionDecls,
		Kinds:       []adapters.Kind{adapters.KindEvent, adapters.KindTask},
		NewSource:   func(c adapters.Config) (adapters.Source, error) { return New(c) },
	})
}

// Source is a CalDAV account. Build it with New; the first call connects.
type Source struct {
	set    settings
	loc    *time.Location
	logger hclog.Logger

	// transport, when set before the first call, replaces the HTTP
	// transport (tests count requests with it).
	transport http.RoundTripper

	// requests counts every HTTP request sent (see requestCounter).
	requests atomic.Int64

	mu   sync.Mutex
	dav  *davx.Client
	home string // calendar home set path, found on first use
}

// New checks the options and returns a source that has not connected yet.
// Errors: InvalidConfig.
func New(c adapters.Config) (*Source, error) {
	set, err := parseOptions(c.Options)
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	if c.TimeZone != "" {
		if l, ok := icalendar.ResolveTZID(c.TimeZone); ok {
			loc = l
		} else {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "time zone %q unknown", c.TimeZone)
		}
	}
	logger := c.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &Source{set: set, loc: loc, logger: logger}, nil
}

// SetTransport replaces the HTTP transport; call it before the first
// method. Benchmarks count requests with it.
func (s *Source) SetTransport(rt http.RoundTripper) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transport = rt
}

// client returns the DAV client, building it on first use (reading
// password_file and ca_file then). Errors: InvalidConfig.
func (s *Source) client() (*davx.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dav != nil {
		return s.dav, nil
	}
	auth, err := s.set.authorizer()
	if err != nil {
		return nil, err
	}
	rt := s.transport
	if rt == nil {
		if rt, err = s.set.transport(); err != nil {
			return nil, err
		}
	}
	rt = requestCounter{next: rt, n: &s.requests}
	// No overall timeout: a long listing that keeps moving must finish;
	// Stall bounds the silences instead.
	s.dav = &davx.Client{HTTP: davx.NewHTTPClient(rt, 0), Authorize: auth, Stall: s.set.stall}
	return s.dav, nil
}

// Info connects and finds the calendar home, which checks the credentials.
// Errors: Unauthorized, Temporary, InvalidConfig.
func (s *Source) Info(ctx context.Context) (adapters.Info, error) {
	if _, err := s.homeSet(ctx); err != nil {
		return adapters.Info{}, err
	}
	return adapters.Info{
		Name: "caldav", Version: "1",
		Kinds:        []adapters.Kind{adapters.KindEvent, adapters.KindTask},
		Capabilities: adapters.CapabilitiesOf(s, true),
	}, nil
}

// Close releases idle connections. Safe to call more than once.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dav != nil {
		s.dav.HTTP.CloseIdleConnections()
	}
	return nil
}

var (
	_ adapters.Source     = (*Source)(nil)
	_ adapters.TimeWriter = (*Source)(nil)
	_ adapters.Exporter   = (*Source)(nil)
)
