package ews

import (
	"net/http"

	"github.com/Azure/go-ntlmssp"
)

// withNTLM returns a copy of c whose transport answers the server's NTLM
// (or Negotiate-with-NTLM) challenge with the credentials call puts on
// each request as Basic auth. The Negotiator strips those before sending
// and never falls back to Basic (AllowBasicAuth is off), so with auth ntlm
// the password itself never goes over the wire. NTLM authenticates the TCP
// connection: the handshake costs two extra round trips per new
// connection, later requests on a kept-alive connection pass at once.
func withNTLM(c *http.Client) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp := *c
	cp.Transport = ntlmssp.Negotiator{RoundTripper: base}
	return &cp
}
