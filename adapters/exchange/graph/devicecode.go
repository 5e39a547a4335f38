package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// deviceAuthorization is the device-code endpoint's answer (RFC 8628).
type deviceAuthorization struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	Message         string `json:"message"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
}

// deviceCodeURL is the device-code endpoint next to the token endpoint
// (".../oauth2/v2.0/token" → ".../oauth2/v2.0/devicecode").
func (t *tokens) deviceCodeURL() string {
	return strings.TrimSuffix(t.cfg.TokenURL, "/token") + "/devicecode"
}

// deviceCode runs the device-code flow: it logs the message asking the
// user to sign in, then polls the token endpoint until the user did, the
// code expires (Unauthorized) or ctx ends. The refresh token it yields is
// kept in memory for the life of the adapter. Called with t.mu held.
func (t *tokens) deviceCode(ctx context.Context) (string, error) {
	form := url.Values{"client_id": {t.cfg.ClientID}, "scope": {delegatedScope}}
	resp, err := t.cfg.Retry.Do(ctx, t.cfg.HTTP, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.deviceCodeURL(), strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	}, nil)
	if err != nil {
		return "", err
	}
	var da deviceAuthorization
	if err := json.Unmarshal(resp.Body, &da); err != nil || resp.Status >= 300 || da.DeviceCode == "" {
		return "", adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: device-code sign-in refused (HTTP %d)", t.cfg.who(), resp.Status)
	}
	msg := da.Message
	if msg == "" {
		msg = "To sign in, open " + da.VerificationURI + " and enter the code " + da.UserCode
	}
	t.cfg.Logger.Warn(msg, "mailbox", t.cfg.Mailbox)
	interval := time.Duration(max(da.Interval, 1)) * time.Second
	deadline := time.Now().Add(time.Duration(max(da.ExpiresIn, 60)) * time.Second)
	poll := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"client_id":   {t.cfg.ClientID},
		"device_code": {da.DeviceCode},
	}
	for time.Now().Before(deadline) {
		tr, err := t.post(ctx, t.cfg.TokenURL, poll)
		if err != nil {
			return "", err
		}
		switch tr.Error {
		case "":
			return t.keep(tr)
		case "slow_down":
			interval += 5 * time.Second
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(interval):
		}
	}
	return "", adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: device code expired before the user signed in", t.cfg.who())
}
