package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"os"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/netx"
)

// tlsConfig is the client TLS configuration: verified against the system
// roots plus ca_file (netx.RootCAs: the one meaning in every adapter).
func (s *Source) tlsConfig() (*tls.Config, error) {
	cfg, err := netx.TLSConfig(s.ep.host, s.opts.CAFile)
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, "imap")
	}
	return cfg, nil
}

// connect dials, secures and logs in, every step bounded: connecting
// and the implicit TLS handshake by timeout, every answer due (greeting,
// STARTTLS, login) by stall_timeout (see stallConn). Errors: Unauthorized
// for refused credentials (never retried), InvalidConfig for an
// unreadable password_file or ca_file, Temporary for network and TLS
// failures and a server that stops answering.
func (s *Source) connect(ctx context.Context) (*imapclient.Client, *stallConn, error) {
	if s.opts.Password == "" && s.opts.PasswordFile == "" && s.opts.OAuthToken == "" {
		return nil, nil, adapters.Errorf(adapters.CodeUnauthorized, "%s: user %s needs a password (password, password_file or oauth_token)",
			s.ep.display, s.opts.Username)
	}
	tlsCfg, err := s.tlsConfig()
	if err != nil {
		return nil, nil, err
	}
	opts := &imapclient.Options{
		TLSConfig:   tlsCfg,
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
	}
	raw, err := (&net.Dialer{Timeout: s.ep.timeout}).DialContext(ctx, "tcp", s.ep.addr)
	if err != nil {
		return nil, nil, s.connErr(ctx, err, "connect")
	}
	// imapclient has no context: a cancelled run closes the socket, which
	// unblocks whatever waits on it.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	wire := newStallConn(raw, s.ep.addr, s.ep.stall)
	var c *imapclient.Client
	switch s.ep.mode {
	case TLSImplicit:
		tc, err := s.handshake(ctx, wire, tlsCfg)
		if err != nil {
			raw.Close()
			return nil, nil, err
		}
		c = imapclient.New(tc, opts)
	case TLSStartTLS:
		if c, err = imapclient.NewStartTLS(wire, opts); err != nil {
			raw.Close()
			return nil, nil, s.connErr(ctx, stallOf(wire, err), "STARTTLS")
		}
	default:
		c = imapclient.New(wire, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, nil, s.connErr(ctx, stallOf(wire, err), "greeting")
	}
	if err := s.login(c); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if se := wire.stalled.Load(); se != nil {
			return nil, nil, adapters.Wrap(adapters.CodeTemporary, se, fmt.Sprintf("%s: login as %s", s.ep.display, s.opts.Username))
		}
		return nil, nil, err
	}
	return c, wire, nil
}

// handshake runs the implicit TLS handshake within timeout.
func (s *Source) handshake(ctx context.Context, conn *stallConn, cfg *tls.Config) (*tls.Conn, error) {
	cfg = cfg.Clone()
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"}
	}
	hctx, cancel := context.WithTimeout(ctx, s.ep.timeout)
	defer cancel()
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		if ctx.Err() == nil && hctx.Err() != nil {
			return nil, adapters.Errorf(adapters.CodeTemporary, "%s: no TLS handshake within %v", s.ep.display, s.ep.timeout)
		}
		return nil, s.connErr(ctx, stallOf(conn, err), "TLS handshake")
	}
	return tc, nil
}

// connErr wraps a failure while connecting as Temporary, naming the step.
func (s *Source) connErr(ctx context.Context, err error, step string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Refused, no such host, a certificate problem: said once, plainly
	// (a certificate problem is InvalidConfig: retrying cannot fix it).
	if f := netx.Explain(err, s.ep.addr); f != nil {
		code := adapters.CodeTemporary
		if f.TLS {
			code = adapters.CodeInvalidConfig
		}
		return adapters.Wrap(code, f, s.ep.display)
	}
	return adapters.Wrap(adapters.CodeTemporary, err, s.ep.display+": "+step)
}

// login authenticates with XOAUTH2 for a token, AUTHENTICATE PLAIN where
// the server offers it, else LOGIN. A NO answer is Unauthorized with the
// server and user named; it is not retried.
func (s *Source) login(c *imapclient.Client) error {
	user := s.opts.Username
	var err error
	switch {
	case s.opts.OAuthToken != "":
		s.count()
		err = c.Authenticate(&xoauth2{user: user, token: s.opts.OAuthToken})
	default:
		pass, perr := s.password()
		if perr != nil {
			return perr
		}
		if c.Caps().Has(imap.AuthCap(sasl.Plain)) {
			s.count()
			err = c.Authenticate(sasl.NewPlainClient("", user, pass))
		} else {
			s.count()
			err = c.Login(user, pass).Wait()
		}
	}
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
		return adapters.Errorf(adapters.CodeUnauthorized, "%s: login failed for user %s: %s", s.ep.display, user, ie.Text)
	}
	if errors.As(err, &ie) {
		return adapters.Errorf(adapters.CodeUnauthorized, "%s: login failed for user %s: %v", s.ep.display, user, err)
	}
	return adapters.Wrap(adapters.CodeTemporary, err, fmt.Sprintf("%s: login as %s", s.ep.display, user))
}

// password returns the configured password, reading password_file now
// (the constructor does no I/O).
func (s *Source) password() (string, error) {
	if s.opts.PasswordFile == "" {
		return s.opts.Password, nil
	}
	b, err := os.ReadFile(s.opts.PasswordFile)
	if err != nil {
		return "", adapters.Errorf(adapters.CodeInvalidConfig, "imap: password_file: %v", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
