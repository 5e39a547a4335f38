package config

import (
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"
)

// Defaults of the `serve:` block.
const (
	DefaultServeAddress  = "127.0.0.1:8080"
	DefaultServeInterval = 15 * time.Minute
	// DefaultMaxSessions bounds the web client's logged-in sessions.
	DefaultMaxSessions = 1000
)

var serveKeys = []string{"address", "tls_cert", "tls_key", "interval", "max_sessions", "metrics_token_file", "metrics_address", "secret_key_file"}

// decodeServe reads `serve:`; absent keys keep their defaults. Certificate
// paths are made absolute like every other path.
func (d *decoder) decodeServe(n *yaml.Node) Serve {
	s := Serve{Address: DefaultServeAddress, Interval: DefaultServeInterval, MaxSessions: DefaultMaxSessions}
	if n == nil || isNull(resolve(n)) {
		return s
	}
	f, ok := d.fields(n, "serve", serveKeys...)
	if !ok {
		return s
	}
	if v, ok := d.str(f["address"], "serve.address"); ok && v != "" {
		s.Address = v
	}
	if v, ok := d.str(f["tls_cert"], "serve.tls_cert"); ok && v != "" {
		s.TLSCert = absPath(v, d.dir)
	}
	if v, ok := d.str(f["tls_key"], "serve.tls_key"); ok && v != "" {
		s.TLSKey = absPath(v, d.dir)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		d.errs.add(resolve(n).Line, "serve", "tls_cert and tls_key go together: give both for HTTPS, or neither")
	}
	if v, ok := d.duration(f["interval"], "serve.interval"); ok {
		if v < time.Second {
			d.errs.add(resolve(f["interval"]).Line, "serve.interval", "must be at least 1s")
		} else {
			s.Interval = v
		}
	}
	if v, ok := d.str(f["metrics_token_file"], "serve.metrics_token_file"); ok && v != "" {
		s.MetricsTokenFile = absPath(v, d.dir)
	}
	if v, ok := d.str(f["metrics_address"], "serve.metrics_address"); ok && v != "" {
		s.MetricsAddress = v
	}
	if v, ok := d.str(f["secret_key_file"], "serve.secret_key_file"); ok && v != "" {
		s.SecretKeyFile = absPath(v, d.dir)
	}
	if n := resolve(f["max_sessions"]); !isNull(n) {
		v, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || v < 1 {
			d.errs.add(n.Line, "serve.max_sessions", "must be a whole number of at least 1, got %q", n.Value)
		} else {
			s.MaxSessions = v
		}
	}
	return s
}

// passwordHash accepts a bcrypt hash as `gwsync passwd` prints it. A
// plain-text password is refused, so that it is never kept in the file.
func (d *decoder) passwordHash(line int, path, s string) string {
	if _, err := bcrypt.Cost([]byte(s)); err != nil {
		d.errs.add(line, path, "is not a bcrypt hash (run 'gwsync passwd' and paste what it prints)")
		return ""
	}
	return s
}
