package graph

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Source reads and writes one mailbox through Microsoft Graph.
type Source struct {
	cfg    Config
	tokens *tokens
}

// New checks cfg and returns a Source; it does no I/O.
// Errors: InvalidConfig.
func New(cfg Config) (*Source, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.HTTP == nil {
		c, err := xchg.HTTPClient("")
		if err != nil {
			return nil, err
		}
		cfg.HTTP = c
	}
	s := &Source{cfg: cfg}
	s.tokens = &tokens{cfg: &s.cfg}
	return s, nil
}

// Info signs in (so wrong credentials show at once) and describes the
// source. Errors: Unauthorized naming the mailbox, Temporary.
func (s *Source) Info(ctx context.Context) (adapters.Info, error) {
	if _, err := s.tokens.token(ctx); err != nil {
		return adapters.Info{}, err
	}
	return adapters.Info{Name: "exchange", Version: "graph", Kinds: adapters.Kinds,
		Capabilities: adapters.CapabilitiesOf(s, true)}, nil
}

// Close does nothing: the HTTP client holds no per-source state worth
// releasing. Safe to call more than once.
func (s *Source) Close() error { return nil }

var (
	_ adapters.Source     = (*Source)(nil)
	_ adapters.TimeWriter = (*Source)(nil)
	_ adapters.Exporter   = (*Source)(nil)
)
