package imap

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
)

func init() {
	adapters.Register(adapters.Registration{
		Name:        "imap",
		Description: "IMAP folders (default \"Import Folder\") as e-mail messages",
		Options:     optionDecls,
		Kinds:       []adapters.Kind{adapters.KindMessage},
		NewSource:   func(c adapters.Config) (adapters.Source, error) { return New(c) },
	})
}

// Source reads messages from IMAP folders. It holds one connection, opened
// on the first call and kept for the next ones; calls are serialised.
type Source struct {
	opts   Options
	ep     endpoint
	logger hclog.Logger

	mu     sync.Mutex // serialises calls: one IMAP conversation at a time
	client *imapclient.Client
	wire   *stallConn // client's connection, whose silences are bounded
	closed bool
	// done is what Committed has applied after_import to, per folder;
	// the stored cursor does not know it yet (see Committed).
	done map[string]folderDone

	commands atomic.Int64 // IMAP commands sent, login included
}

// New checks the options and returns a source; it does no I/O.
// Errors: InvalidConfig.
func New(cfg adapters.Config) (*Source, error) {
	o, ep, err := parseOptions(cfg)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &Source{opts: o, ep: ep, logger: logger, done: map[string]folderDone{}}, nil
}

// Commands reports how many IMAP commands (each one round trip: the
// adapter never pipelines) this source has sent, login included.
func (s *Source) Commands() int64 { return s.commands.Load() }

func (s *Source) count() { s.commands.Add(1) }

// Info connects and logs in, so that wrong credentials show up before a
// run plans anything. Errors: Unauthorized, Temporary, InvalidConfig.
func (s *Source) Info(ctx context.Context) (adapters.Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.idle()
	if _, err := s.conn(ctx); err != nil {
		return adapters.Info{}, err
	}
	caps := adapters.CapabilitiesOf(s, true)
	// Without store_attachments no item has a Part: say so rather than
	// offer a capability nothing uses.
	caps.ReadAttachments = caps.ReadAttachments && s.opts.StoreAttachments
	// Likewise, with after_import: keep there is nothing to do on commit.
	caps.Committed = caps.Committed && s.opts.AfterImport != AfterKeep
	return adapters.Info{
		Name:         "imap",
		Kinds:        []adapters.Kind{adapters.KindMessage},
		Capabilities: caps,
	}, nil
}

// storeLimit is the largest attachment whose content is stored, 0 when
// none is (see mailmsg.LimitParts).
func (s *Source) storeLimit() int64 {
	if !s.opts.StoreAttachments {
		return 0
	}
	return s.opts.AttachmentMaxBytes
}

// conn returns the open connection, connecting when there is none or the
// last one died. s.mu must be held.
func (s *Source) conn(ctx context.Context) (*imapclient.Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.closed {
		return nil, adapters.Errorf(adapters.CodeUnknown, "imap: source closed")
	}
	if s.client != nil {
		select {
		case <-s.client.Closed():
			s.client = nil
		default:
			return s.client, nil
		}
	}
	c, wire, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	s.client, s.wire = c, wire
	return c, nil
}

// drop closes the connection after a failure or an interrupted fetch,
// whose rest would otherwise have to be read off the wire.
func (s *Source) drop() {
	if s.client != nil {
		_ = s.client.Close()
		s.client, s.wire = nil, nil
	}
}

// dropAsync forgets the connection at once and closes it in the
// background: used while a fetch's reader still has to drain what the
// closed socket gives, which Close would wait for.
func (s *Source) dropAsync() {
	if c := s.client; c != nil {
		s.client, s.wire = nil, nil
		go c.Close()
	}
}

// idle tells the connection that every command sent has been answered:
// its silence is no stall. Each call ends with it, so that a connection
// kept between calls is not taken for a stalled one. s.mu must be held.
func (s *Source) idle() {
	if s.wire != nil {
		s.wire.idle()
	}
}

// Close logs out and releases the connection. Safe to call more than once.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.client == nil {
		return nil
	}
	c := s.client
	s.client = nil
	s.count()
	_ = c.Logout().Wait()
	return c.Close()
}

var _ adapters.Source = (*Source)(nil)
