package xchg

import (
	"bufio"
	"crypto/tls"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/netx"
)

// Secret returns value, or the first line of file when value is empty.
// Errors: InvalidConfig naming the option when the file cannot be read.
func Secret(value, file, option string) (string, error) {
	if value != "" || file == "" {
		return value, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", adapters.Wrap(adapters.CodeInvalidConfig, err, option)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Scan()
	if err := s.Err(); err != nil {
		return "", adapters.Wrap(adapters.CodeInvalidConfig, err, option)
	}
	return strings.TrimSpace(s.Text()), nil
}

// HTTPClient builds the client both APIs (and the OAuth token endpoint)
// use: a per-request timeout, redirects followed within their origin only
// (sameOriginRedirects), and the system roots plus caFile's PEM
// certificates when caFile is set (an on-premises Exchange often has a
// company CA). Errors: InvalidConfig.
func HTTPClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pool, err := netx.RootCAs(caFile)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute, CheckRedirect: sameOriginRedirects}, nil
}
