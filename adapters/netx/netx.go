// Package netx is what every adapter that talks to a server shares about
// the network: one meaning of the ca_file option, and connection and TLS
// failures said the way a person understands them ("cannot connect to
// HOST:PORT: connection refused", "the certificate of HOST:PORT is signed
// by an unknown authority: ... ca_file"), once, instead of the chain of
// library messages that quote the URL at every layer.
package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// CAFileHelp is the one meaning of ca_file, as every adapter declares it.
const CAFileHelp = "PEM file of CA certificates trusted in addition to the system roots (a self-signed or company CA)"

// RootCAs returns the certificate pool for a server: the system roots,
// plus the PEM certificates of caFile when it is set (never instead of
// them, in every adapter). nil with no caFile means "the system roots".
// Errors: InvalidConfig naming the file when it cannot be read or holds no
// PEM certificate.
func RootCAs(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "ca_file: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "ca_file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

// TLSConfig is the client TLS configuration for serverName: TLS 1.2 or
// later, verified against RootCAs(caFile). Errors as RootCAs.
func TLSConfig(serverName, caFile string) (*tls.Config, error) {
	pool, err := RootCAs(caFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{ServerName: serverName, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Failure is a connection or TLS failure said plainly. It keeps the
// original error for errors.Is/As.
type Failure struct {
	Msg string
	Err error
	// TLS tells a certificate or handshake problem: retrying cannot help.
	TLS bool
}

func (f *Failure) Error() string { return f.Msg }
func (f *Failure) Unwrap() error { return f.Err }

// Explain recognises a connection or TLS failure anywhere in err's chain
// and returns it said plainly, naming addr (HOST:PORT; when empty, the
// address the dial error names). It returns nil when err is none of those
// (an HTTP status, a protocol error), so that callers keep their own
// message then.
func Explain(err error, addr string) *Failure {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	var (
		oe   *net.OpError
		dns  *net.DNSError
		ua   x509.UnknownAuthorityError
		uap  *x509.UnknownAuthorityError
		he   x509.HostnameError
		hep  *x509.HostnameError
		ci   x509.CertificateInvalidError
		cip  *x509.CertificateInvalidError
		rh   tls.RecordHeaderError
		rhp  *tls.RecordHeaderError
		alrt tls.AlertError
	)
	if addr == "" && errors.As(err, &oe) && oe.Addr != nil {
		addr = oe.Addr.String()
	}
	const hint = "; if the server uses a self-signed or company certificate, put its CA certificate (PEM) in ca_file"
	switch {
	case errors.As(err, &ua) || errors.As(err, &uap):
		if uap != nil {
			ua = *uap
		}
		who := ""
		if ua.Cert != nil {
			who = " (issuer " + ua.Cert.Issuer.String() + ")"
			if ua.Cert.Issuer.String() == ua.Cert.Subject.String() {
				who = " (self-signed: " + ua.Cert.Subject.String() + ")"
			}
		}
		return &Failure{Msg: fmt.Sprintf("the TLS certificate of %s is signed by an unknown authority%s%s", addr, who, hint), Err: err, TLS: true}
	case errors.As(err, &he) || errors.As(err, &hep):
		if hep != nil {
			he = *hep
		}
		names := "other names"
		if he.Certificate != nil {
			if n := append(append([]string{}, he.Certificate.DNSNames...), ipStrings(he.Certificate.IPAddresses)...); len(n) > 0 {
				names = strings.Join(n, ", ")
			} else if he.Certificate.Subject.CommonName != "" {
				names = he.Certificate.Subject.CommonName
			}
		}
		return &Failure{Msg: fmt.Sprintf("the TLS certificate of %s is for %s, not %s: connect by a name the certificate holds", addr, names, he.Host), Err: err, TLS: true}
	case errors.As(err, &ci) || errors.As(err, &cip):
		if cip != nil {
			ci = *cip
		}
		msg := fmt.Sprintf("the TLS certificate of %s is not valid: %s", addr, ci.Error())
		if ci.Reason == x509.Expired && ci.Cert != nil {
			msg = fmt.Sprintf("the TLS certificate of %s is not valid now (valid from %s until %s)", addr,
				ci.Cert.NotBefore.UTC().Format(time.DateOnly), ci.Cert.NotAfter.UTC().Format(time.DateOnly))
		}
		return &Failure{Msg: msg, Err: err, TLS: true}
	case errors.As(err, &rh) || errors.As(err, &rhp) || errors.Is(err, http.ErrSchemeMismatch):
		return &Failure{Msg: fmt.Sprintf("%s does not answer with TLS: is it a plain-text port (check the URL's scheme and port, or tls)?", addr), Err: err, TLS: true}
	case errors.As(err, &alrt):
		return &Failure{Msg: fmt.Sprintf("the TLS handshake with %s failed: the server sent %q", addr, alrt.Error()), Err: err, TLS: true}
	case errors.As(err, &dns):
		return &Failure{Msg: fmt.Sprintf("cannot resolve the host name %s: %s", dns.Name, dnsReason(dns)), Err: err}
	case errors.As(err, &oe) && oe.Op == "dial":
		return &Failure{Msg: fmt.Sprintf("cannot connect to %s: %s", addr, dialReason(oe)), Err: err}
	case errors.Is(err, context.DeadlineExceeded) && errors.As(err, &oe):
		return &Failure{Msg: fmt.Sprintf("no answer from %s in time", addr), Err: err}
	}
	return nil
}

func dialReason(oe *net.OpError) string {
	switch {
	case errors.Is(oe, syscall.ECONNREFUSED):
		return "connection refused (is the server running, and is the port right?)"
	case errors.Is(oe, syscall.EHOSTUNREACH), errors.Is(oe, syscall.ENETUNREACH):
		return "no route to the host"
	case oe.Timeout():
		return "no answer in time"
	}
	var se *os.SyscallError
	if errors.As(oe.Err, &se) {
		return se.Err.Error()
	}
	return oe.Err.Error()
}

func dnsReason(d *net.DNSError) string {
	if d.IsNotFound {
		return "no such host"
	}
	return d.Err
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

// Wrap returns err said plainly as an adapters error (Temporary; a TLS
// problem is InvalidConfig, since only a change of config or server fixes
// it), or err itself when Explain does not recognise it.
func Wrap(err error, addr string) error {
	f := Explain(err, addr)
	if f == nil {
		return err
	}
	code := adapters.CodeTemporary
	if f.TLS {
		code = adapters.CodeInvalidConfig
	}
	return adapters.Wrap(code, f, "")
}
