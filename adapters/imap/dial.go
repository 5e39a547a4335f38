package imap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"github.com/gwsync/gwsync/adapters"
)

// dialTimeout bounds connecting and the TLS handshake.
const dialTimeout = 20 * time.Second

// tlsConfig is the client TLS configuration: verified against the system
// roots, or against ca_file alone when it is set.
func (s *Source) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: s.ep.host, MinVersion: tls.VersionTLS12}
	if s.opts.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(s.opts.CAFile)
	if err != nil {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "imap: ca_file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "imap: ca_file %s holds no PEM certificate", s.opts.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// connect dials, secures and logs in. Errors: Unauthorized for refused
// credentials (never retried), InvalidConfig for an unreadable
// password_file or ca_file, Temporary for network and TLS failures.
func (s *Source) connect(ctx context.Context) (*imapclient.Client, error) {
	tlsCfg, err := s.tlsConfig()
	if err != nil {
		return nil, err
	}
	opts := &imapclient.Options{
		TLSConfig:   tlsCfg,
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		Dialer:      &net.Dialer{Timeout: dialTimeout},
	}
	var c *imapclient.Client
	switch s.ep.mode {
	case TLSImplicit:
		c, err = imapclient.DialTLS(s.ep.addr, opts)
	case TLSStartTLS:
		c, err = imapclient.DialStartTLS(s.ep.addr, opts)
	default:
		c, err = imapclient.DialInsecure(s.ep.addr, opts)
	}
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeTemporary, err, s.ep.display+": connect")
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, adapters.Wrap(adapters.CodeTemporary, err, s.ep.display+": greeting")
	}
	if err := s.login(c); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return c, nil
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
