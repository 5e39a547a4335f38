package ews

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Source reads and writes one mailbox through EWS.
type Source struct {
	cfg Config
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
	if cfg.Auth == "ntlm" {
		cfg.HTTP = withNTLM(cfg.HTTP)
	}
	return &Source{cfg: cfg}, nil
}

// Info looks the import folder up, which proves the credentials (and the
// impersonation right) work. Errors: Unauthorized, Temporary; a missing
// folder is not an error here (Snapshot reports it).
func (s *Source) Info(ctx context.Context) (adapters.Info, error) {
	if _, err := s.findFolder(ctx); err != nil && adapters.CodeOf(err) != adapters.CodeNotFound {
		return adapters.Info{}, err
	}
	return adapters.Info{Name: "exchange", Version: "ews", Kinds: adapters.Kinds,
		Capabilities: adapters.CapabilitiesOf(s, true)}, nil
}

// Close does nothing; safe to call more than once.
func (s *Source) Close() error { return nil }

var (
	_ adapters.Source     = (*Source)(nil)
	_ adapters.TimeWriter = (*Source)(nil)
	_ adapters.Exporter   = (*Source)(nil)
)
